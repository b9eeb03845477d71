package dev.accel.backend.cpu.linalg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A by-hand probe, not a test: a pixel-major product ({@code positions x channels}, row-major) into
 * NCHW on one thread, three ways: element by element, a vector of channels at a time through a
 * small array (the fallback of {@code ConvKernels.transposeOut}) and {@link Transpose16} blocks (its
 * 512-bit path; the leftover positions element by element). Best of 20 rounds of 20 ms,
 * microseconds per call. Arguments: positions, channels (default 49 2048). Run with the module's
 * test classpath.
 */
public final class TransposeMain {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private TransposeMain() {
    }

    public static void main(String[] args) {
        int positions = args.length > 0 ? Integer.parseInt(args[0]) : 49;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        Arena arena = Arena.ofAuto();
        MemorySegment src = LinalgTestSupport.floats(arena, new Random(1), (long) positions * channels);
        MemorySegment y = arena.allocate(4L * positions * channels, 64);
        float[] block = new float[positions * L];
        double element = LinalgTestSupport.bestMicros(20, 20, () -> {
            for (int co = 0; co < channels; co++) {
                for (int q = 0; q < positions; q++) {
                    y.setAtIndex(FLOAT, (long) co * positions + q, src.getAtIndex(FLOAT, (long) q * channels + co));
                }
            }
        });
        double small = LinalgTestSupport.bestMicros(20, 20, () -> {
            for (int co = 0; co + L <= channels; co += L) {
                for (int q = 0; q < positions; q++) {
                    FloatVector.fromMemorySegment(F, src, ((long) q * channels + co) * 4, ByteOrder.LITTLE_ENDIAN).intoArray(block, q * L);
                }
                for (int j = 0; j < L; j++) {
                    for (int q = 0; q < positions; q++) {
                        y.setAtIndex(FLOAT, (long) (co + j) * positions + q, block[q * L + j]);
                    }
                }
            }
        });
        System.out.printf("%d x %d: element by element %.1f us, through a small array %.1f us", positions, channels, element, small);
        if (Transpose16.APPLIES) {
            double blocks = LinalgTestSupport.bestMicros(20, 20, () -> {
                for (int co = 0; co + L <= channels; co += L) {
                    int q0 = 0;
                    for (; q0 + L <= positions; q0 += L) {
                        Transpose16.block(src, ((long) q0 * channels + co) * 4, channels * 4L, null, 0, y,
                                ((long) co * positions + q0) * 4, positions * 4L);
                    }
                    for (int j = 0; j < L; j++) {
                        for (int q = q0; q < positions; q++) {
                            y.setAtIndex(FLOAT, (long) (co + j) * positions + q, src.getAtIndex(FLOAT, (long) q * channels + co + j));
                        }
                    }
                }
            });
            System.out.printf(", Transpose16 %.1f us", blocks);
        }
        System.out.println();
    }
}
