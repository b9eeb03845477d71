package dev.accel.cli;

import dev.accel.conformance.ConformanceSuite;
import java.io.PrintStream;

/**
 * Shows a long run's progress as one line that rewrites itself, on a terminal only: in a log or a
 * pipe it prints nothing, so logs stay free of carriage returns. Updates are throttled so a fast
 * suite does not spend its time printing. Thread-safe.
 */
final class ProgressLine implements ConformanceSuite.Progress {
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;
    private static final int WIDTH = 100;

    private final PrintStream err;
    private final boolean terminal;
    private final String prefix;
    private long lastPrint;
    private int lastLength;

    ProgressLine(Io io, String prefix) {
        this.err = io.err();
        this.terminal = io.terminal();
        this.prefix = prefix;
    }

    @Override
    public synchronized void update(int done, int total, String currentCase) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && lastPrint != 0 && now - lastPrint < MIN_INTERVAL_NANOS) {
            return;
        }
        lastPrint = now;
        String text = prefix + " " + done + "/" + total + " " + (currentCase == null ? "" : currentCase);
        if (text.length() > WIDTH) {
            text = text.substring(0, WIDTH - 3) + "...";
        }
        err.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
        err.flush();
        lastLength = text.length();
    }

    /** Clears the line, so the next output starts at the left margin. */
    synchronized void finish() {
        if (terminal && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }
}
