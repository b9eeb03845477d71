package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Pool2d;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A by-hand probe, not a test: the best time of the pooling kernels on the 3x3 stride-2 MaxPool
 * layers of SqueezeNet (64 x 111 x 111, 128 x 55 x 55 and 256 x 27 x 27, no padding) and ResNet-50
 * (64 x 112 x 112, padding 1), VGG-19's first 2x2 MaxPool (64 x 224 x 224), and the 3x3 stride-2
 * AveragePools of ShuffleNet's shortcuts (24 x 56 x 56, 240 x 28 x 28, 480 x 14 x 14, padding 1,
 * padding not counted), over 2000 calls after 1000
 * warm-up calls, on all cores: the general two-pass kernel ({@link Pool2dKernel}) and the one the
 * backend runs for these layers ({@link PoolStride2}), in turn, three rounds. Run with the module's test classpath:
 * {@code java --add-modules jdk.incubator.vector -cp CLASSES:TEST_CLASSES:HAL_API_CLASSES
 * dev.accel.backend.cpu.kernels.PoolSpeedMain}.
 */
public final class PoolSpeedMain {
    private PoolSpeedMain() {
    }

    public static void main(String[] args) {
        // Channels, height and width, padding, window, average (1) or max (0).
        int[][] cases = {{64, 111, 0, 3, 0}, {128, 55, 0, 3, 0}, {256, 27, 0, 3, 0}, {64, 112, 1, 3, 0}, {64, 224, 0, 2, 0},
            {24, 56, 1, 3, 1}, {240, 28, 1, 3, 1}, {480, 14, 1, 3, 1}};
        for (int round = 0; round < 3; round++) {
            for (int[] c : cases) {
                int ch = c[0];
                int hw = c[1];
                int pad = c[2];
                int k = c[3];
                Pool2d.PoolKind kind = c[4] == 1 ? Pool2d.PoolKind.AVERAGE : Pool2d.PoolKind.MAX;
                Pool2d p = new Pool2d(kind, k, k, 2, 2, pad, pad, pad, pad, 1, 1, false, false);
                int o = (hw + 2 * pad - k) / 2 + 1;
                Shape x = Shape.of(1, ch, hw, hw);
                Shape y = Shape.of(1, ch, o, o);
                Arena arena = Arena.ofAuto();
                MemorySegment[] in = {arena.allocate(4L * ch * hw * hw, 64)};
                MemorySegment[] out = {arena.allocate(4L * ch * o * o, 64)};
                System.out.printf("%s %dx%d stride 2 pad %d on %d x %d x %d: two-pass %.1f us, stride-2 %.1f us%n",
                        c[4] == 1 ? "AveragePool" : "MaxPool", k, k, pad, ch,
                        hw, hw, best(new Pool2dKernel(p, x, y).compile(false), in, out) / 1e3,
                        best(new PoolStride2(p, x, y).compile(), in, out) / 1e3);
            }
        }
    }

    private static long best(CpuOp op, MemorySegment[] in, MemorySegment[] out) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < 3000; r++) {
            long t0 = System.nanoTime();
            op.run(in, out);
            long t = System.nanoTime() - t0;
            if (r >= 1000) {
                best = Math.min(best, t);
            }
        }
        return best;
    }
}
