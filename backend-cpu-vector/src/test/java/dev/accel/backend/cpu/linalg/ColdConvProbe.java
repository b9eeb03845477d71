package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;

/**
 * A by-hand probe, not a test: one float Conv shape compiled {@code copies} times with weights of
 * its own each and called round robin, so that with enough copies every call finds its weights out
 * of cache, as in a whole network (ResNet-50 holds about 100 MB of them); one copy keeps them hot.
 * Prints six rounds of a second each: the mean and the spread (minimum, 10th, 50th and 90th
 * percentile, maximum) of the calls, in microseconds. Arguments: {@code copies c h m k stride pad}
 * ({@link SquareConv}). Run with the module's test classpath.
 */
public final class ColdConvProbe {
    private ColdConvProbe() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        int copies = Integer.parseInt(args[0]);
        SquareConv sc = SquareConv.parse(java.util.Arrays.copyOfRange(args, 1, 7)).get(0);
        OpSpec spec = sc.spec();
        Conv2d geo = sc.attributes();
        MemorySegment x = LinalgTestSupport.floats(arena, r, spec.inputs().get(0).numel());
        MemorySegment y = arena.allocate(spec.outputs().get(0).byteSize(), 64);
        CpuOp[] ops = new CpuOp[copies];
        MemorySegment[][] ins = new MemorySegment[copies][];
        for (int i = 0; i < copies; i++) {
            MemorySegment w = LinalgTestSupport.floats(arena, r, spec.inputs().get(1).numel());
            MemorySegment b = LinalgTestSupport.floats(arena, r, spec.inputs().get(2).numel());
            ops[i] = ConvKernels.conv2d(spec, geo, Map.of(1, w, 2, b));
            ins[i] = new MemorySegment[] {x, w, b};
        }
        MemorySegment[] out = {y};
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            int calls = 0;
            long[] times = new long[1 << 20];
            while (System.nanoTime() - t0 < 1_000_000_000L && calls + copies <= times.length) {
                for (int i = 0; i < copies; i++) {
                    long a = System.nanoTime();
                    ops[i].run(ins[i], out);
                    times[calls++] = System.nanoTime() - a;
                }
            }
            double us = (System.nanoTime() - t0) / 1e3 / calls;
            long[] t = java.util.Arrays.copyOf(times, calls);
            java.util.Arrays.sort(t);
            System.out.printf("copies %d: %9.1f us per call (%5.1f GFLOP/s) min %d p10 %d p50 %d p90 %d max %d%n", copies, us,
                    sc.flops() / us / 1e3, t[0] / 1000, t[calls / 10] / 1000, t[calls / 2] / 1000, t[calls * 9 / 10] / 1000,
                    t[calls - 1] / 1000);
        }
    }
}
