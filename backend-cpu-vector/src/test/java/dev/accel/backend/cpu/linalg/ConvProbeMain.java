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
 * A by-hand probe, not a test: one float Conv (square input and kernel, weights and bias constant)
 * as the backend compiles it, best of 10 rounds of 50 ms on all cores after a second of warm-up.
 * Arguments: groups of six, {@code c h m k stride pad} ({@link SquareConv}). Run with the module's
 * test classpath; system properties such as {@code accel.cpu.direct} apply.
 */
public final class ConvProbeMain {
    private ConvProbeMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (SquareConv sc : SquareConv.parse(args)) {
            int c = sc.c();
            int h = sc.h();
            int m = sc.m();
            int k = sc.k();
            int oh = sc.oh();
            Conv2d geo = sc.attributes();
            OpSpec spec = OpSpec.of(geo, TensorType.of(DType.F32, 1, c, h, h), TensorType.of(DType.F32, m, c, k, k),
                    TensorType.of(DType.F32, m));
            MemorySegment x = LinalgTestSupport.floats(arena, r, (long) c * h * h);
            MemorySegment w = LinalgTestSupport.floats(arena, r, (long) m * c * k * k);
            MemorySegment b = LinalgTestSupport.floats(arena, r, m);
            MemorySegment y = arena.allocate(4L * m * oh * oh, 64);
            CpuOp op = ConvKernels.conv2d(spec, geo, Map.of(1, w, 2, b));
            MemorySegment[] in = {x, w, b};
            MemorySegment[] out = {y};
            // A second of calls first: the kernels' C2 compilations take about that long.
            LinalgTestSupport.bestMicros(1, 1000, () -> op.run(in, out));
            double us = LinalgTestSupport.bestMicros(10, 50, () -> op.run(in, out));
            System.out.printf("c %4d h %3d m %4d k %d s %d p %d: %9.1f us (%5.1f GFLOP/s)%n", c, h, m, k, sc.s(), sc.p(), us,
                    sc.flops() / us / 1e3);
        }
    }
}
