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
 * A by-hand probe, not a test: 1x1 convolutions with stride 2 (ResNet-50 v1's downsampling layers)
 * as the backend compiles them, against the stride-1 convolution of the same output size (the
 * subsampled input), and {@link StridedPointwise#subsample} alone; best of 20 rounds of 20 ms, two
 * cores. Arguments: triples {@code c h m}.
 */
public final class StridedPointwiseMain {
    private StridedPointwiseMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        for (int i = 0; i + 2 < args.length; i += 3) {
            int c = Integer.parseInt(args[i]);
            int h = Integer.parseInt(args[i + 1]);
            int m = Integer.parseInt(args[i + 2]);
            int oh = (h - 1) / 2 + 1;
            double strided = time(arena, r, c, h, m, 2);
            double plain = time(arena, r, c, oh, m, 1);
            double flops = 2.0 * c * m * oh * oh;
            ConvGeom g = ConvGeom.of(Conv2d.of(2, 0, 1), dev.accel.hal.Shape.of(1, c, h, h), dev.accel.hal.Shape.of(m, c, 1, 1),
                    dev.accel.hal.Shape.of(1, m, oh, oh));
            MemorySegment x = LinalgTestSupport.floats(arena, r, (long) c * h * h);
            MemorySegment sub = arena.allocate(4L * c * oh * oh, 64);
            double copy = LinalgTestSupport.bestMicros(20, 20, () -> StridedPointwise.subsample(g, x, sub));
            System.out.printf("subsample %.1f us; ", copy);
            System.out.printf("1x1 %4d -> %4d, %3d -> %3d: stride 2 %7.1f us (%5.1f GFLOP/s); stride 1 on %dx%d %7.1f us (%5.1f)%n", c, m,
                    h, oh, strided, flops / strided / 1e3, oh, oh, plain, flops / plain / 1e3);
        }
    }

    private static double time(Arena arena, Random r, int c, int h, int m, int s) {
        int oh = (h - 1) / s + 1;
        OpSpec spec = OpSpec.of(Conv2d.of(s, 0, 1), TensorType.of(DType.F32, 1, c, h, h), TensorType.of(DType.F32, m, c, 1, 1),
                TensorType.of(DType.F32, m));
        MemorySegment x = LinalgTestSupport.floats(arena, r, (long) c * h * h);
        MemorySegment w = LinalgTestSupport.floats(arena, r, (long) m * c);
        MemorySegment b = LinalgTestSupport.floats(arena, r, m);
        MemorySegment y = arena.allocate(4L * m * oh * oh, 64);
        CpuOp op = ConvKernels.conv2d(spec, Conv2d.of(s, 0, 1), Map.of(1, w, 2, b));
        MemorySegment[] in = {x, w, b};
        MemorySegment[] out = {y};
        return LinalgTestSupport.bestMicros(20, 20, () -> op.run(in, out));
    }
}
