package dev.accel.backend.cpu.linalg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a GEMM's constant operand (a model's weights, {@link PackedPanels}) is likely to come
 * from memory rather than from the last-level cache, judged by its reuse distance: the bytes of
 * constant operands read by GEMMs since its own last use. In a whole network that is the rest of the
 * model (ResNet-50: about 100 MB, so every layer's weights come from memory, every run); in a loop
 * over one layer, as a benchmark runs it, only the layer itself. Activations are not counted, so
 * the estimate errs towards "in cache".
 *
 * <p>{@link GemmCore} reads a cold operand's block into L2 with one load per cache line before
 * computing on it: many independent loads, which the core overlaps, where the micro-kernel's
 * demand loads reach memory one panel at a time and the prefetchers do not get far enough ahead.
 * {@code ColdWeightsMain}: ResNet-50's res5 3x3 convolution lowered (512 x 49 x 4608) with its
 * weights from memory, 1039-1046 us without, 853-854 us with; with its weights in cache the pass
 * costs 3-6% (724-748 against 768-774 us), which is why it is not done then.
 */
final class ReuseDistance {
    /** Last-level cache bytes taken as available to weights: half of it (the rest holds activations). */
    static final long BUDGET = lastLevelCacheBytes() / 2;
    private static final long NEVER = Long.MIN_VALUE;
    private static final AtomicLong STREAMED = new AtomicLong();

    private ReuseDistance() {
    }

    /** False turns the judgement off (every operand counts as in cache): for probes that measure what it buys. */
    static volatile boolean enabled = true;

    /** Records a use of {@code p} by a GEMM and returns whether it is likely to come from memory. */
    static boolean cold(PackedPanels p) {
        if (!enabled) {
            return false;
        }
        long bytes = 4L * p.data().length;
        long now = STREAMED.getAndAdd(bytes);
        long last = p.markUse(now);
        // Since its last use began: itself, then every other operand read; all of it must fit to stay cached.
        return last == NEVER || now - last > BUDGET;
    }

    /** The value {@link PackedPanels} start with: never used. */
    static long never() {
        return NEVER;
    }

    /** The largest cache of cpu0 (sysfs), 8 MiB where it cannot be read. */
    static long lastLevelCacheBytes() {
        long best = 0;
        for (int i = 0; i < 8; i++) {
            Path size = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i + "/size");
            try {
                best = Math.max(best, parseSize(Files.readString(size)));
            } catch (IOException | RuntimeException e) {
                // No such level (or no sysfs): keep what was found.
            }
        }
        return best > 0 ? best : 8L << 20;
    }

    /** A sysfs cache size ("32768K", "1M", "512"), in bytes. */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1L << 10;
        } else if (t.endsWith("M")) {
            unit = 1L << 20;
        } else if (t.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }
}
