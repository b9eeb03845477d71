package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearMatMul;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A by-hand throughput probe, not a test and not a benchmark of record (JMH in the benchmarks
 * module is): prints the best-of-N GFLOP/s (GOP/s for 8-bit) of a few kernels through
 * {@link LinalgKernels}. Run it with the module's test classpath, for example
 * {@code java --add-modules jdk.incubator.vector -cp CLASSES:TEST_CLASSES:HAL_API_JAR
 * dev.accel.backend.cpu.linalg.LinalgBenchMain [reps]}.
 */
public final class LinalgBenchMain {
    private LinalgBenchMain() {
    }

    /**
     * The register tile alone, on one thread: {@link MicroKernel#multiply} over 40 packed A panels
     * (MR x KC, 240 KiB, in L2) against 4 packed B panels (KC x NR, in L1 and L2), as GEMM's inner
     * loops run it, without packing, edges or C traffic; best of five 400 ms rounds.
     */
    private static void microKernel() {
        int kc = GemmCore.KC;
        int panels = 40;
        float[] a = new float[panels * GemmCore.MR * kc];
        float[] b = new float[4 * kc * GemmCore.NR];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        float[] tile = new float[GemmCore.MR * GemmCore.NR];
        double best = 0;
        for (int round = 0; round < 7; round++) {
            long flops = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 400_000_000L) {
                for (int bp = 0; bp < 4; bp++) {
                    for (int ap = 0; ap < panels; ap++) {
                        MicroKernel.multiply(kc, a, ap * GemmCore.MR * kc, b, bp * kc * GemmCore.NR, tile);
                    }
                }
                flops += 2L * 4 * panels * GemmCore.MR * GemmCore.NR * kc;
            }
            double rate = flops / ((System.nanoTime() - t0) / 1e9) / 1e9;
            if (round >= 2) {
                best = Math.max(best, rate);
            }
        }
        System.out.printf("%-40s %8.1f GFLOP/s (one thread)%n", "register tile alone, KC " + kc, best);
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.println("species " + MicroKernel.F + ", MR x NR = " + GemmCore.MR + " x " + GemmCore.NR + ", KC " + GemmCore.KC
                + ", MC " + GemmCore.MC + ", NC " + GemmCore.NC);
        microKernel();
        for (int n : new int[] {512, 1024, 2048}) {
            bench("MatMul f32 n=" + n, OpSpec.of(new MatMul(), TensorType.of(DType.F32, n, n), TensorType.of(DType.F32, n, n)),
                    2.0 * n * n * n, reps);
        }
        int n = 1024;
        bench("MatMulInteger u8 x i8 n=" + n, OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, n, n),
                TensorType.of(DType.I8, n, n)), 2.0 * n * n * n, reps);
        bench("QLinearMatMul u8 x i8 n=" + n, OpSpec.of(new QLinearMatMul(), TensorType.of(DType.U8, n, n),
                TensorType.of(DType.F32), TensorType.of(DType.U8), TensorType.of(DType.I8, n, n), TensorType.of(DType.F32, n),
                TensorType.of(DType.I8, n), TensorType.of(DType.F32), TensorType.of(DType.U8)), 2.0 * n * n * n, reps);
        for (int m : new int[] {1, 8}) {
            bench("MatMul f32 skinny M=" + m + " K=N=4096", OpSpec.of(new MatMul(), TensorType.of(DType.F32, m, 4096),
                    TensorType.of(DType.F32, 4096, 4096)), 2.0 * m * 4096 * 4096, reps);
            bench("MatMulInteger skinny M=" + m + " K=N=4096", OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, m, 4096),
                    TensorType.of(DType.I8, 4096, 4096)), 2.0 * m * 4096 * 4096, reps);
        }
        conv("Conv 3x3 64->64 56x56", new int[] {1, 64, 56, 56}, new int[] {64, 64, 3, 3}, Conv2d.of(1, 1, 1), reps);
        conv("Conv 1x1 256->64 56x56", new int[] {1, 256, 56, 56}, new int[] {64, 256, 1, 1}, Conv2d.simple(), reps);
        conv("Conv 7x7/2 3->64 224x224", new int[] {1, 3, 224, 224}, new int[] {64, 3, 7, 7}, Conv2d.of(2, 3, 1), reps);
        conv("Conv 3x3 512->512 7x7", new int[] {1, 512, 7, 7}, new int[] {512, 512, 3, 3}, Conv2d.of(1, 1, 1), reps);
        conv("Depthwise 3x3 32 112x112", new int[] {1, 32, 112, 112}, new int[] {32, 1, 3, 3}, Conv2d.of(1, 1, 32), reps);
        conv("Depthwise 3x3/2 144 56x56", new int[] {1, 144, 56, 56}, new int[] {144, 1, 3, 3}, Conv2d.of(2, 1, 144), reps);
    }

    private static void conv(String name, int[] xd, int[] wd, Conv2d g, int reps) {
        OpSpec spec = OpSpec.of(g, TensorType.of(DType.F32, xd), TensorType.of(DType.F32, wd), TensorType.of(DType.F32, wd[0]));
        var y = spec.outputs().get(0).shape();
        double flops = 2.0 * y.numel() * wd[1] * wd[2] * wd[3];
        bench(name, spec, flops, reps);
    }

    private static void bench(String name, OpSpec spec, double ops, int reps) {
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(1);
            MemorySegment[] in = new MemorySegment[spec.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                TensorType t = spec.inputs().get(i);
                in[i] = t.dtype() == DType.F32 ? LinalgTestSupport.floats(arena, r, t.numel())
                        : LinalgTestSupport.bytes(arena, r, t.byteSize());
            }
            MemorySegment out = arena.allocate(Math.max(1, spec.outputs().get(0).byteSize()), 64);
            CpuOp op = LinalgKernels.compile(spec, false);
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < reps; rep++) {
                long t0 = System.nanoTime();
                op.run(in, new MemorySegment[] {out});
                best = Math.min(best, (System.nanoTime() - t0) * 1e-9);
            }
            System.out.printf("%-36s %9.3f ms %8.1f G(FL)OP/s%n", name, best * 1e3, ops / best * 1e-9);
        }
    }
}
