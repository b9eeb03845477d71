package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The A/B experiments behind the CPU kernels' design notes, each in one JVM with its variants
 * interleaved round by round (so that a shared machine's drift hits all of them alike), medians
 * printed. Not part of {@code accel bench cpu}:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *      -cp benchmarks/target/classes:$(cat cp.txt) dev.accel.benchmarks.Experiments NAME
 * </pre>
 *
 * <ul>
 *   <li>{@code heap-segments clean} and {@code heap-segments polluted}, two JVMs: the skinny FP32
 *       GEMM (1 x 4096 times 4096 x 4096, B read at run time) compiled and measured as usual, or
 *       after one loop of FloatVector loads from a heap segment elsewhere in the JVM (see
 *       NativeScratch in the CPU backend). Code compiled before that loop keeps its speed; code
 *       compiled after it handles both kinds of segment.
 *   <li>{@code packed-operands}: MatMul n = 1024 and 2048 with B packed per call and packed once
 *       (a constant), and INT8 MatMulInteger against FP32 at n = 1024.
 *   <li>{@code few-rows}: products with 16 to 24 rows of A, B given at run time or as a constant.
 *   <li>{@code skinny-streams}: the skinny GEMM (m = 1..8, B a constant or read at run time,
 *       FP32 and INT8) against the memory read probe, as GB/s of B streamed.
 *   <li>{@code pixel-major}: convolution layers of {@link ConvLayer} (weights and bias constant)
 *       compiled channel-major and pixel-major ({@code accel.cpu.pixelMajor=off} and {@code on},
 *       set around the compile only), the layers whose rule is close. The system property
 *       {@code accel.bench.layers} (comma-separated names) replaces the list.
 *   <li>{@code direct}: the same for the direct convolution against the other forms
 *       ({@code accel.cpu.direct=off} and {@code on}), on the layers it applies to with a kernel
 *       wider than 1x1.
 *   <li>{@code planar}: the same for the planar first-layer convolution ({@code accel.cpu.planar=off}
 *       and {@code on}) on the three first layers.
 * </ul>
 */
public final class Experiments {
    private static final long ROUND_NANOS = 150_000_000L;

    private Experiments() {
    }

    /** One variant: a call, and the unit count (FLOPs or bytes) one call does. */
    private record Variant(Runnable call, double units) {
    }

    public static void main(String[] args) {
        boolean heap = args.length == 2 && args[0].equals("heap-segments") && (args[1].equals("clean") || args[1].equals("polluted"));
        if (args.length != 1 && !heap) {
            throw new IllegalArgumentException(
                    "usage: Experiments heap-segments clean|heap-segments polluted|packed-operands|few-rows|skinny-streams|pixel-major|direct|planar");
        }
        if (heap && args[1].equals("polluted")) {
            System.out.printf("one loop of vector loads from a heap segment first (checksum %.0f)%n", heapSegmentLoop());
        }
        JitWarmup.run(200);
        try (Arena arena = Arena.ofShared()) {
            switch (args[0]) {
                case "heap-segments" -> report(Map.of("skinny f32 m=1, B at run time (" + args[1] + ")", skinny(arena, 1, false, false)), 6,
                        "GB/s");
                case "packed-operands" -> report(packedOperands(arena), 8, "G(FL)OP/s");
                case "few-rows" -> report(fewRows(arena), 8, "GFLOP/s");
                case "skinny-streams" -> report(skinnyStreams(arena), 6, "GB/s");
                case "pixel-major" -> report(pixelMajor(arena), 8, "GFLOP/s");
                case "direct" -> report(direct(arena), 8, "GFLOP/s");
                case "planar" -> report(planar(arena), 8, "GFLOP/s");
                default -> throw new IllegalArgumentException("unknown experiment '" + args[0]
                        + "'; known: heap-segments clean|polluted, packed-operands, few-rows, skinny-streams, pixel-major, direct, planar");
            }
        }
    }

    /** Vector loads from a heap segment: what any code in the process might do. */
    private static float heapSegmentLoop() {
        MemorySegment heap = MemorySegment.ofArray(new float[4096]);
        float sum = 0;
        for (int r = 0; r < 20_000; r++) {
            for (long j = 0; j < 4096; j += FloatVector.SPECIES_PREFERRED.length()) {
                sum += FloatVector.fromMemorySegment(FloatVector.SPECIES_PREFERRED, heap, 4 * j, ByteOrder.LITTLE_ENDIAN)
                        .reduceLanes(VectorOperators.ADD);
            }
        }
        return sum;
    }

    private static Map<String, Variant> packedOperands(Arena arena) {
        Map<String, Variant> v = new LinkedHashMap<>();
        for (int n : new int[] {1024, 2048}) {
            OpSpec spec = OpSpec.of(new MatMul(), TensorType.of(DType.F32, n, n), TensorType.of(DType.F32, n, n));
            MemorySegment a = Buffers.floats(arena, (long) n * n, 1);
            MemorySegment b = Buffers.floats(arena, (long) n * n, 2);
            MemorySegment[] in = {a, b};
            MemorySegment[] out = {Buffers.zeros(arena, 4L * n * n)};
            CpuOp plain = CpuOps.compile(spec, false);
            CpuOp constB = CpuOps.compile(spec, Map.of(1, b), false);
            double flops = 2.0 * n * n * n;
            v.put("f32 n=" + n + ", B per call", new Variant(() -> plain.run(in, out), flops));
            v.put("f32 n=" + n + ", B constant", new Variant(() -> constB.run(in, out), flops));
        }
        int n = 1024;
        OpSpec q = OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, n, n), TensorType.of(DType.I8, n, n), TensorType.of(DType.U8),
                TensorType.of(DType.I8));
        MemorySegment[] qin = {Buffers.bytes(arena, (long) n * n, 3), Buffers.bytes(arena, (long) n * n, 4), Buffers.bytes(arena, 1, 5),
            Buffers.zeros(arena, 1)};
        MemorySegment[] qout = {Buffers.zeros(arena, 4L * n * n)};
        CpuOp int8 = CpuOps.compile(q, false);
        v.put("int8 n=1024, B per call", new Variant(() -> int8.run(qin, qout), 2.0 * n * n * n));
        return v;
    }

    private static Map<String, Variant> pixelMajor(Arena arena) {
        return convForms(arena, "accel.cpu.pixelMajor", new String[] {"off", "on"}, new String[] {"channel-major", "pixel-major"},
                "resnet50.res5.3x3.512,resnet50.res5.1x1.512-2048,mobilenetv2.1x1.320-1280x7,resnet50.res4.1x1.1024-256,"
                        + "resnet50.res3.1x1.512-128,squeezenet.fire9.3x3.64-256,squeezenet.conv10.1x1.512-1000,"
                        + "squeezenet.fire9.1x1.512-64,mobilenetv2.1x1.576-96x14");
    }

    private static Map<String, Variant> direct(Arena arena) {
        return convForms(arena, "accel.cpu.direct", new String[] {"off", "on"}, new String[] {"lowered", "direct"},
                "resnet50.conv1.7x7s2,resnet50.res2.3x3.64,resnet50.res3.3x3s2.128,resnet50.res3.3x3.128,resnet50.res4.3x3.256,"
                        + "resnet50.res5.3x3.512,mobilenetv2.conv0.3x3s2,squeezenet.conv1.3x3s2,squeezenet.fire2.3x3.16-64,"
                        + "squeezenet.fire9.3x3.64-256");
    }

    /** First layers (three channels in) as the other rules run them against the planar form (PlanarConv). */
    private static Map<String, Variant> planar(Arena arena) {
        return convForms(arena, "accel.cpu.planar", new String[] {"off", "on"}, new String[] {"before", "planar"},
                "resnet50.conv1.7x7s2,mobilenetv2.conv0.3x3s2,squeezenet.conv1.3x3s2");
    }

    /**
     * Each layer of {@code accel.bench.layers} (else {@code defaultLayers}), weights and bias
     * constant, compiled once per value of the system property {@code property} (restored after).
     */
    private static Map<String, Variant> convForms(Arena arena, String property, String[] values, String[] labels, String defaultLayers) {
        String names = System.getProperty("accel.bench.layers", defaultLayers);
        Map<String, Variant> v = new LinkedHashMap<>();
        String saved = System.getProperty(property);
        try {
            for (String name : names.split(",")) {
                ConvLayer l = ConvLayer.named(name.trim());
                long[] y = l.yShape();
                MemorySegment x = Buffers.floats(arena, (long) l.c() * l.h() * l.w(), 7);
                MemorySegment w = Buffers.floats(arena, (long) l.m() * (l.c() / l.groups()) * l.k() * l.k(), 8);
                MemorySegment b = Buffers.floats(arena, l.m(), 9);
                MemorySegment[] in = {x, w, b};
                MemorySegment[] out = {Buffers.zeros(arena, 4L * y[1] * y[2] * y[3])};
                for (int i = 0; i < values.length; i++) {
                    System.setProperty(property, values[i]);
                    CpuOp op = CpuOps.compile(l.spec(), Map.of(1, w, 2, b), false);
                    v.put(l.name() + ", " + labels[i], new Variant(() -> op.run(in, out), l.flops()));
                }
            }
        } finally {
            if (saved == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, saved);
            }
        }
        return v;
    }

    private static Map<String, Variant> fewRows(Arena arena) {
        Map<String, Variant> v = new LinkedHashMap<>();
        for (int[] s : new int[][] {{16, 64, 3025}, {16, 32, 12544}, {24, 144, 3136}}) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            OpSpec spec = OpSpec.of(new MatMul(), TensorType.of(DType.F32, m, k), TensorType.of(DType.F32, k, n));
            MemorySegment a = Buffers.floats(arena, (long) m * k, 5);
            MemorySegment b = Buffers.floats(arena, (long) k * n, 6);
            MemorySegment[] in = {a, b};
            MemorySegment[] out = {Buffers.zeros(arena, 4L * m * n)};
            CpuOp plain = CpuOps.compile(spec, Map.of(0, a), false);
            CpuOp constB = CpuOps.compile(spec, Map.of(0, a, 1, b), false);
            String name = m + "x" + k + " times " + k + "x" + n;
            v.put(name + ", B at run time", new Variant(() -> plain.run(in, out), 2.0 * m * n * k));
            v.put(name + ", B constant", new Variant(() -> constB.run(in, out), 2.0 * m * n * k));
        }
        return v;
    }

    private static Map<String, Variant> skinnyStreams(Arena arena) {
        Map<String, Variant> v = new LinkedHashMap<>();
        MemorySegment probe = Buffers.zeros(arena, PeakBenchmark.STREAM_BYTES);
        PeakProbe.fill(probe);
        v.put("read probe", new Variant(() -> PeakProbe.read(probe, CpuParallel.THREADS), PeakBenchmark.STREAM_BYTES));
        for (boolean int8 : new boolean[] {false, true}) {
            for (boolean prepared : new boolean[] {true, false}) {
                for (int m : new int[] {1, 2, 4, 8}) {
                    v.put((int8 ? "int8" : "f32") + " m=" + m + (prepared ? ", B constant" : ", B at run time"),
                            skinny(arena, m, int8, prepared));
                }
            }
        }
        return v;
    }

    /** The skinny product of {@link SkinnyBenchmark}, rotating through its copies of B; units: bytes of B. */
    private static Variant skinny(Arena arena, int m, boolean int8, boolean prepared) {
        SkinnyBenchmark.Operands operands = new SkinnyBenchmark.Operands(arena, m, int8);
        CpuOp[] ops = operands.compile(prepared);
        int[] next = {0};
        return new Variant(() -> {
            int i = next[0];
            next[0] = (i + 1) % ops.length;
            ops[i].run(operands.ins[i], operands.out);
        }, SkinnyBenchmark.Operands.bytesOfB(int8));
    }

    /** Rounds of every variant in turn (two unrecorded first); the median rate of each, in units per nanosecond (G units/s). */
    private static Map<String, Double> medians(Map<String, Variant> variants, int rounds) {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int r = -2; r < rounds; r++) {
            for (Map.Entry<String, Variant> e : variants.entrySet()) {
                long t0 = System.nanoTime();
                long end = t0 + ROUND_NANOS;
                int calls = 0;
                while (System.nanoTime() < end) {
                    e.getValue().call().run();
                    calls++;
                }
                if (r >= 0) {
                    rates.computeIfAbsent(e.getKey(), x -> new ArrayList<>()).add(e.getValue().units() * calls / (System.nanoTime() - t0));
                }
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        rates.forEach((name, list) -> {
            Collections.sort(list);
            medians.put(name, list.get(list.size() / 2));
        });
        return medians;
    }

    private static void report(Map<String, Variant> variants, int rounds, String unit) {
        System.out.printf("threads: %d; medians of %d interleaved rounds of %d ms%n", CpuParallel.THREADS, rounds, ROUND_NANOS / 1_000_000);
        medians(variants, rounds).forEach((name, rate) -> System.out.printf("  %-45s %8.1f %s%n", name, rate, unit));
    }
}
