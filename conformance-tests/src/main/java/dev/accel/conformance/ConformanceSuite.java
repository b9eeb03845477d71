package dev.accel.conformance;

import dev.accel.hal.Device;

/** The conformance suite: every case for one device. */
public final class ConformanceSuite {
    private ConformanceSuite() {
    }

    /** Progress of a run, for a terminal display. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total, String currentCase);

        Progress NONE = (d, t, c) -> { };
    }

    /** Runs every case on {@code device} (which the caller owns) and returns the report. */
    public static ConformanceReport run(Device device, Progress progress) {
        throw new UnsupportedOperationException("TODO");
    }
}
