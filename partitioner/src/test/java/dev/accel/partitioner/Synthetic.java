package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Synthetic devices (capabilities and profiles, no kernels) and seeded random graphs for partitioner tests. */
final class Synthetic {
    private Synthetic() {
    }

    /**
     * Capabilities by rule: ops outside {@code ops} (null: all) are unsupported; otherwise the dtype of
     * the first input decides: native, emulated or unsupported.
     */
    record Caps(Set<String> ops, Set<DType> nativeTypes, Set<DType> emulatedTypes) implements Capabilities {
        @Override
        public Support support(OpSpec spec) {
            if (ops != null && !ops.contains(spec.op().name())) {
                return Support.unsupported("this synthetic device has no " + spec.op().name());
            }
            DType d = spec.inputs().get(0).dtype();
            if (spec.op().name().equals("Cast")) {
                DType to = spec.outputs().get(0).dtype();
                return nativeTypes.contains(d) && nativeTypes.contains(to) || emulatedTypes.contains(d) || emulatedTypes.contains(to)
                        ? Support.nativeSupport() : Support.unsupported("no cast between " + d + " and " + to);
            }
            if (nativeTypes.contains(d)) {
                return Support.nativeSupport();
            }
            if (emulatedTypes.contains(d)) {
                return Support.emulated(d.displayName() + " computed in float32");
            }
            return Support.unsupported("no " + d.displayName() + " arithmetic");
        }
    }

    static DeviceProfile profile(double f32, double f16, double bandwidth, double dispatch, double link, double linkLatency) {
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        if (f32 > 0) {
            peak.put(DType.F32, f32);
        }
        if (f16 > 0) {
            peak.put(DType.F16, f16);
        }
        return new DeviceProfile(peak, bandwidth, dispatch, link, linkLatency, false);
    }

    static Target cpu() {
        return new Target("cpu:0", DeviceKind.CPU, new Caps(null, Set.of(DType.F32, DType.I64), Set.of(DType.F16)),
                profile(100e9, 100e9, 20e9, 3e-6, 20e9, 0.2e-6), 16L << 30, true);
    }

    static Target gpu() {
        return new Target("gpu:0", DeviceKind.GPU, new Caps(null, Set.of(DType.F32, DType.F16), Set.of()),
                profile(2e12, 4e12, 300e9, 15e-6, 12e9, 10e-6), 8L << 30, false);
    }

    /** An NPU: float16 only, a few ops, no Cast. */
    static Target npu() {
        return new Target("npu:0", DeviceKind.NPU, new Caps(Set.of("MatMul", "Relu", "Add", "Mul", "Softmax"), Set.of(DType.F16),
                Set.of()), profile(0, 8e12, 60e9, 30e-6, 8e9, 8e-6), 1L << 30, false);
    }

    /**
     * Three float32 devices with random holes (each device but the first lacks each op kind with
     * probability 0.25) and profiles scaled by random factors, for the optimality check.
     */
    static List<Target> randomTargets(Random r) {
        String[] kinds = {"MatMul", "Relu", "Sigmoid", "Tanh", "Add", "Mul", "Softmax"};
        List<Target> out = new ArrayList<>();
        String[] ids = {"cpu:0", "gpu:0", "dsp:0"};
        DeviceKind[] dk = {DeviceKind.CPU, DeviceKind.GPU, DeviceKind.OTHER};
        double[] peak = {100e9, 2e12, 500e9};
        double[] bw = {20e9, 300e9, 50e9};
        double[] disp = {3e-6, 15e-6, 8e-6};
        double[] link = {20e9, 12e9, 6e9};
        double[] lat = {0.2e-6, 10e-6, 5e-6};
        for (int i = 0; i < 3; i++) {
            Set<String> ops = null;
            if (i > 0) {
                java.util.Set<String> s = new java.util.HashSet<>();
                for (String k : kinds) {
                    if (r.nextDouble() >= 0.25) {
                        s.add(k);
                    }
                }
                ops = s;
            }
            double f = Math.exp(r.nextGaussian() * 0.7);
            out.add(new Target(ids[i], dk[i], new Caps(ops, Set.of(DType.F32), Set.of()),
                    profile(peak[i] * f, 0, bw[i] * Math.exp(r.nextGaussian() * 0.5), disp[i] * Math.exp(r.nextGaussian() * 0.5),
                            link[i] * Math.exp(r.nextGaussian() * 0.5), lat[i]), 16L << 30, i == 0));
        }
        return out;
    }

    /**
     * A random DAG of {@code n} nodes over tensors {@code [B, C]} (B and C random per graph): MatMul
     * with a constant square weight, unary activations, Add and Mul of two earlier values, Softmax;
     * every value nobody reads is an output.
     */
    static Graph randomDag(Random r, int n) {
        int batch = new int[] {1, 8, 64, 256}[r.nextInt(4)];
        int c = new int[] {64, 256, 1024}[r.nextInt(3)];
        GraphBuilder b = new GraphBuilder("dag" + n);
        List<String> vals = new ArrayList<>();
        vals.add(b.input("x", DType.F32, batch, c));
        if (r.nextBoolean()) {
            vals.add(b.input("y", DType.F32, batch, c));
        }
        java.util.Set<String> read = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(7);
            String a = vals.get(vals.size() - 1 - r.nextInt(Math.min(vals.size(), 4)));
            String out;
            switch (kind) {
                case 0, 1 -> {
                    String w = b.constantNamed("w", Constant.splat(TensorType.of(DType.F32, c, c), 0.01));
                    out = b.op(new MatMul(), a, w);
                }
                case 2 -> out = b.op(Unary.of(Unary.Kind.RELU), a);
                case 3 -> out = b.op(Unary.of(r.nextBoolean() ? Unary.Kind.SIGMOID : Unary.Kind.TANH), a);
                case 4, 5 -> {
                    String o = vals.get(r.nextInt(vals.size()));
                    out = b.op(new Binary(kind == 4 ? Binary.Kind.ADD : Binary.Kind.MUL), a, o);
                    read.add(o);
                }
                default -> out = b.op(new Softmax(-1), a);
            }
            read.add(a);
            vals.add(out);
        }
        List<String> outs = new ArrayList<>();
        for (String v : vals) {
            if (!read.contains(v) && !v.equals("x") && !v.equals("y")) {
                outs.add(v);
            }
        }
        b.setOutputs(outs);
        return b.build();
    }

    /** A chain of {@code n} nodes (MatMul, Relu, Add with the chain's input...), all runnable on {@link #npu()}. */
    static Graph chain(int n, int batch, int c) {
        GraphBuilder b = new GraphBuilder("chain" + n);
        String x = b.input("x", DType.F32, batch, c);
        String v = x;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                String w = b.constantNamed("w", Constant.splat(TensorType.of(DType.F32, c, c), 0.01));
                v = b.op(new MatMul(), v, w);
            } else {
                v = b.op(Unary.of(Unary.Kind.RELU), v);
            }
        }
        b.output(v);
        return b.build();
    }
}
