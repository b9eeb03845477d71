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
 * A by-hand probe, not a test: 3x3 stride-1 convolutions of SqueezeNet and ResNet-50 shapes run as
 * im2col and as Winograd on all cores (best of three runs of {@link LinalgTestSupport#bestMicros}),
 * with the path {@link Winograd#preferred} picks, to check the rule against. Run with the module's
 * test classpath: {@code java --add-modules jdk.incubator.vector -cp CLASSES:TEST_CLASSES:HAL_API_CLASSES
 * dev.accel.backend.cpu.linalg.WinogradRuleMain}.
 */
public final class WinogradRuleMain {
    private WinogradRuleMain() {
    }

    public static void main(String[] args) {
        // input channels, size, output channels: SqueezeNet's expand layers, ResNet-50's res2-res4.
        int[][] cases = {{16, 55, 64}, {32, 55, 64}, {32, 27, 128}, {48, 27, 192}, {48, 13, 192}, {64, 13, 256}, {64, 56, 64},
            {128, 28, 128}, {256, 14, 256}};
        for (int[] c : cases) {
            int cin = c[0];
            int h = c[1];
            int m = c[2];
            Conv2d g2 = Conv2d.of(1, 1, 1);
            OpSpec spec = OpSpec.of(g2, TensorType.of(DType.F32, 1, cin, h, h), TensorType.of(DType.F32, m, cin, 3, 3), TensorType.of(DType.F32, m));
            Arena arena = Arena.ofAuto();
            Random r = new Random(1);
            MemorySegment x = LinalgTestSupport.floats(arena, r, (long) cin * h * h);
            MemorySegment w = LinalgTestSupport.floats(arena, r, (long) m * cin * 9);
            MemorySegment b = LinalgTestSupport.floats(arena, r, m);
            MemorySegment y = arena.allocate(4L * m * h * h, 64);
            MemorySegment[] in = {x, w, b};
            MemorySegment[] out = {y};
            CpuOp im = ConvKernels.conv2d(spec, g2, Map.of(1, w, 2, b), Winograd.Mode.IM2COL);
            CpuOp wi = ConvKernels.conv2d(spec, g2, Map.of(1, w, 2, b), Winograd.Mode.WINOGRAD);
            double ti = 1e18;
            double tw = 1e18;
            for (int round = 0; round < 3; round++) {
                ti = Math.min(ti, LinalgTestSupport.bestMicros(8, 30, () -> im.run(in, out)));
                tw = Math.min(tw, LinalgTestSupport.bestMicros(8, 30, () -> wi.run(in, out)));
            }
            ConvGeom g = new ConvGeom(1, cin, h, h, m, 3, 3, h, h, 1, 1, 1, 1, 1, 1, 1);
            System.out.printf("%3d -> %3d at %2dx%2d: im2col %7.1f us, winograd %7.1f us, auto picks %s%n", cin, m, h, h, ti, tw,
                    Winograd.preferred(g) ? "winograd" : "im2col");
        }
    }
}
