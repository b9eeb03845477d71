package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A by-hand probe, not a test: the best time of the vector MaxPool kernel on the 3x3 stride-2
 * layers of SqueezeNet (64 x 111 x 111, 128 x 55 x 55 and 256 x 27 x 27, no padding) and ResNet-50
 * (64 x 112 x 112, padding 1), over
 * 2000 calls after 1000 warm-up calls, on all cores. Run with the module's test classpath:
 * {@code java --add-modules jdk.incubator.vector -cp CLASSES:TEST_CLASSES:HAL_API_CLASSES
 * dev.accel.backend.cpu.kernels.PoolSpeedMain}.
 */
public final class PoolSpeedMain {
    private PoolSpeedMain() {
    }

    public static void main(String[] args) {
        int[][] cases = {{64, 111, 0}, {128, 55, 0}, {256, 27, 0}, {64, 112, 1}};
        for (int[] c : cases) {
            int ch = c[0];
            int hw = c[1];
            int pad = c[2];
            Pool2d p = new Pool2d(Pool2d.PoolKind.MAX, 3, 3, 2, 2, pad, pad, pad, pad, 1, 1, false, false);
            int o = (hw + 2 * pad - 3) / 2 + 1;
            CpuOp op = PoolKernels.compile(OpSpec.of(p, TensorType.of(DType.F32, 1, ch, hw, hw)), false);
            Arena arena = Arena.ofAuto();
            MemorySegment[] in = {arena.allocate(4L * ch * hw * hw, 64)};
            MemorySegment[] out = {arena.allocate(4L * ch * o * o, 64)};
            long best = Long.MAX_VALUE;
            for (int r = 0; r < 3000; r++) {
                long t0 = System.nanoTime();
                op.run(in, out);
                long t = System.nanoTime() - t0;
                if (r >= 1000) {
                    best = Math.min(best, t);
                }
            }
            System.out.printf("MaxPool 3x3 stride 2 pad %d on %d x %d x %d: best %.1f us%n", pad, ch, hw, hw, best / 1e3);
        }
    }
}
