package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Int8 placement: the forms (QLinearConv and QLinearMatMul with per-channel symmetric weights and an
 * int32 bias, the integer kernel plus dequantization for graph outputs, Relu as a view), the
 * weights' quantization against hand-computed values, one QuantizeLinear per value entering an int8
 * region and none inside it, and no plan of random graphs wrapping an op in a quantize round trip.
 */
class Int8PlacementTest {
    private static final QuantParams.Entry U8 = new QuantParams.Entry(0.02f, 128, DType.U8);
    private static final QuantParams.Entry RELU = new QuantParams.Entry(0.01f, 0, DType.U8);

    /** A CPU that runs everything, int8 four times as fast as float32. */
    static Target cpu() {
        return new Target("cpu:0", DeviceKind.CPU, new Synthetic.Caps(null, Set.of(DType.F32, DType.I64, DType.U8, DType.I8,
                DType.I32), Set.of(DType.F16)), profile(100e9, 0, 400e9, 20e9), 16L << 30, true);
    }

    /** An NPU running float16 and the quantized matmul and convolution, quantizing float16 only; no DequantizeLinear. */
    static Target npu() {
        return new Target("npu:0", DeviceKind.NPU, new Synthetic.Caps(Set.of("MatMul", "Relu", "Add", "Mul", "Softmax",
                "QLinearMatMul", "QLinearConv", "QuantizeLinear"), Set.of(DType.F16, DType.U8, DType.I8), Set.of()),
                profile(0, 8e12, 32e12, 60e9), 1L << 30, false);
    }

    private static Target withId(Target t, String id) {
        return new Target(id, t.kind(), t.capabilities(), t.profile(), t.memoryBytes(), t.sharesHostMemory());
    }

    private static DeviceProfile profile(double f32, double f16, double i8, double bandwidth) {
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        if (f32 > 0) {
            peak.put(DType.F32, f32);
        }
        if (f16 > 0) {
            peak.put(DType.F16, f16);
        }
        peak.put(DType.I8, i8);
        peak.put(DType.U8, i8);
        return new DeviceProfile(peak, bandwidth, 3e-6, 20e9, 1e-6, false);
    }

    private static Constant random(Random r, Shape s) {
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * 0.1;
        }
        return Constant.ofDoubles(DType.F32, s, v);
    }

    /** x -> MatMul -> Relu -> MatMul -> Relu -> MatMul -> y, every value with parameters. */
    private static Graph mlp() {
        Random r = new Random(3);
        GraphBuilder b = new GraphBuilder("mlp");
        String v = b.input("x", DType.F32, 64, 256);
        for (int i = 0; i < 3; i++) {
            v = b.op(new MatMul(), v, b.constantNamed("w", random(r, Shape.of(256, 256))));
            if (i < 2) {
                v = b.op(Unary.of(Unary.Kind.RELU), v);
            }
        }
        b.output(v);
        return b.build();
    }

    private static QuantParams all(Graph g) {
        Map<String, QuantParams.Entry> e = new LinkedHashMap<>();
        e.put(g.inputs().get(0), U8);
        for (Node n : g.nodes()) {
            e.put(n.outputs().get(0), n.op().name().equals("Relu") ? RELU : U8);
        }
        return QuantParams.of(e);
    }

    @Test
    void weightsArePerChannelSymmetricAndTheBiasIsInt32() {
        // Two output channels of two weights each: max |w| is 0.5 and 2.54.
        Constant w = Constant.ofDoubles(DType.F32, Shape.of(2, 2, 1, 1), 0.5, -0.25, 1.27, -2.54);
        Weights q = Weights.ofRows(w, 2, new int[] {2, 2, 1, 1});
        assertEquals(0.5 / 127, q.scales().getDouble(0), 1e-9);
        assertEquals(2.54 / 127, q.scales().getDouble(1), 1e-9);
        Constant qw = q.q();
        assertEquals(DType.I8, qw.type().dtype());
        assertEquals(List.of(127.0, -64.0, 64.0, -127.0), List.of(qw.getDouble(0), qw.getDouble(1), qw.getDouble(2), qw.getDouble(3)),
                "-0.25 / (0.5/127) = -63.5 rounds half to even: -64; 1.27 / 0.02 = 63.5: 64");
        Constant bias = q.int32Bias(new float[] {1f, -1f}, 0.1f);
        assertEquals(DType.I32, bias.type().dtype());
        assertEquals(Math.rint(1 / (0.1 * 0.5 / 127)), bias.getDouble(0), 1);
        assertEquals(Math.rint(-1 / (0.1 * 2.54 / 127)), bias.getDouble(1), 1);
        // A [N, K] Gemm weight (transB) read as columns of the [K, N] B, times alpha.
        Constant bt = Constant.ofDoubles(DType.F32, Shape.of(2, 3), 1, 2, 4, -8, 0, 0);
        Weights cols = Weights.ofColumns(bt, 3, 2, true, 0.5f);
        assertEquals(2.0 / 127, cols.scales().getDouble(0), 1e-9);
        assertEquals(4.0 / 127, cols.scales().getDouble(1), 1e-9);
        Constant c = cols.q();
        assertEquals(Shape.of(3, 2), c.type().shape());
        // B[k][n] = 0.5 * bt[n][k]: column 0 is 0.5, 1, 2 -> 32, 64, 127 (31.75 -> 32, 63.5 -> 64); column 1 is -4, 0, 0.
        assertEquals(List.of(32.0, -127.0, 64.0, 0.0, 127.0, 0.0), java.util.stream.LongStream.range(0, 6)
                .mapToObj(c::getDouble).toList());
    }

    @Test
    void convGemmAndReluForms() {
        Random r = new Random(1);
        GraphBuilder b = new GraphBuilder("forms");
        String x = b.input("x", DType.F32, 1, 4, 8, 8);
        String c = b.op(new Conv2d(1, 1, 1, 1, 1, 1, 1, 1, 1), x, b.constantNamed("w", random(r, Shape.of(6, 4, 3, 3))),
                b.constantNamed("b", random(r, Shape.of(6))));
        String a = b.op(Unary.of(Unary.Kind.RELU), c);
        String f = b.op(new dev.accel.hal.op.Reshape(Shape.of(1, 384)), a);
        String h = b.op(new Gemm(1f, 1f, false, true), f, b.constantNamed("fc", random(r, Shape.of(10, 384))),
                b.constantNamed("fcb", random(r, Shape.of(10))));
        String o = b.op(new Gemm(1f, 1f, false, true), h, b.constantNamed("out", random(r, Shape.of(5, 10))),
                b.constantNamed("outb", random(r, Shape.of(5))));
        b.output(o);
        Graph g = b.build();
        Map<String, QuantParams.Entry> e = Int8Forms.effective(g, QuantParams.of(Map.of(x, U8, c, U8, a, RELU, f, RELU, h, U8,
                o, U8)));
        assertEquals(RELU, e.get(c), "the Relu's sole input takes its parameters");
        List<Node> nodes = g.nodes();
        String[] why = new String[1];
        NodeForms.Form conv = Int8Forms.of(g, nodes.get(0), g.spec(nodes.get(0)), e, why);
        assertTrue(conv.spec().op() instanceof QLinearConv, String.valueOf(conv.spec()));
        assertEquals(List.of(DType.U8, DType.F32, DType.U8, DType.I8, DType.F32, DType.I8, DType.F32, DType.U8, DType.I32),
                conv.spec().inputs().stream().map(TensorType::dtype).toList());
        assertEquals(Shape.of(6), conv.spec().inputs().get(4).shape(), "one weight scale per output channel");
        assertEquals(NodeForms.QUANT, conv.outputForms()[0]);
        NodeForms.Form relu = Int8Forms.of(g, nodes.get(1), g.spec(nodes.get(1)), e, why);
        assertEquals("Identity", relu.spec().op().name(), "zero point 0 leaves nothing to clamp");
        NodeForms.Form view = Int8Forms.of(g, nodes.get(2), g.spec(nodes.get(2)), e, why);
        assertEquals(DType.U8, view.spec().outputs().get(0).dtype());
        NodeForms.Form fc = Int8Forms.of(g, nodes.get(3), g.spec(nodes.get(3)), e, why);
        assertEquals(List.of("Reshape", "QLinearConv", "Reshape"), fc.parts().stream().map(p -> p.spec().op().name()).toList(),
                "a Gemm with a bias runs as a 1x1 QLinearConv, which takes an int32 bias");
        NodeForms.Form last = Int8Forms.of(g, nodes.get(4), g.spec(nodes.get(4)), e, why);
        assertEquals(List.of("MatMulInteger", "DequantizeLinear", "Add"), last.parts().stream().map(p -> p.spec().op().name()).toList(),
                "a graph output stays float: integer matmul, dequantized, plus the float bias");
        assertEquals(NodeForms.SOURCE, last.outputForms()[0]);

        Map<String, QuantParams.Entry> signed = new LinkedHashMap<>(e);
        signed.put(a, new QuantParams.Entry(0.01f, 0, DType.I8));
        signed.put(c, new QuantParams.Entry(0.01f, 0, DType.I8));
        assertNull(Int8Forms.of(g, nodes.get(1), g.spec(nodes.get(1)), signed, why));
        assertTrue(why[0].contains("zero point -128"), why[0]);
        Map<String, QuantParams.Entry> missing = new LinkedHashMap<>(e);
        missing.remove(x);
        assertNull(Int8Forms.of(g, nodes.get(0), g.spec(nodes.get(0)), missing, why));
        assertTrue(why[0].contains("no quantization parameters for its input 'x'"), why[0]);
    }

    @Test
    void oneQuantizeAtTheBoundaryAndNoneInside() {
        Graph g = mlp();
        Plan p = new Partitioner().plan(g, List.of(cpu()), Preferences.builder().precision(Precision.INT8).quantization(all(g)).build());
        for (NodePlacement pl : p.placements().values()) {
            assertEquals(Precision.INT8, pl.precision(), p.explain());
        }
        assertEquals(1, p.conversions().size(), p.conversions().toString());
        Conversion q = p.conversions().get(0);
        assertEquals(List.of("x", "float32", "uint8"), List.of(q.value(), q.from().displayName(), q.to().displayName()));
        assertTrue(p.graph().node(q.node()).orElseThrow().kernel() instanceof QuantizeLinear);
        long quantized = p.graph().nodes().stream().filter(n -> n.kernel() instanceof QLinearMatMul).count();
        assertEquals(2, quantized, "two matmuls stay quantized; the last one, a graph output, dequantizes its accumulator");
        assertEquals(List.of(), RoundTripCheck.violations(p));

        Plan none = new Partitioner().plan(g, List.of(cpu()), Preferences.builder().precision(Precision.INT8).build());
        NodePlacement first = none.placements().get(g.nodes().get(0).name());
        Claim int8 = first.claims().stream().filter(c -> c.precision() == Precision.INT8).findFirst().orElseThrow();
        assertTrue(int8.support().reason().contains("no quantization parameters"), int8.toString());
    }

    @Test
    void anNpuRegionQuantizesOnceOnTheWayInAndDequantizesOnTheCpu() {
        Graph g = mlp();
        Preferences.Builder pb = Preferences.builder().precision(Precision.INT8).quantization(all(g));
        for (Node n : g.nodes()) {
            if (!n.name().equals(g.nodes().get(g.nodes().size() - 1).name())) {
                pb.pin(n.name(), n.op().name().equals("MatMul") ? "npu" : "cpu");
            }
        }
        Plan p = new Partitioner().plan(g, List.of(cpu(), npu()), pb.build());
        Map<String, Integer> perValue = new LinkedHashMap<>();
        for (Conversion c : p.conversions()) {
            perValue.merge(c.value() + "->" + c.to(), 1, Integer::sum);
            Node n = p.graph().node(c.node()).orElseThrow();
            if (n.kernel() instanceof DequantizeLinear) {
                assertEquals("cpu:0", c.device(), "the NPU has no DequantizeLinear");
            }
        }
        for (int count : perValue.values()) {
            assertEquals(1, count, perValue.toString());
        }
        for (Node n : g.nodes()) {
            if (n.op().name().equals("MatMul") && !n.name().equals(g.nodes().get(g.nodes().size() - 1).name())) {
                assertEquals(Precision.INT8, p.placements().get(n.name()).precision(), p.explain());
            }
        }
        assertEquals(List.of(), RoundTripCheck.violations(p), p.explain());
    }

    @Test
    void theCheckCatchesQuantizeRoundTrips() {
        GraphBuilder b = new GraphBuilder("naive");
        String v = b.input("x", DType.F32, 4, 8);
        String scale = b.constantNamed("s", Constant.ofDoubles(DType.F32, Shape.scalar(), 0.1));
        String zp = b.constantNamed("z", Constant.ofDoubles(DType.U8, Shape.scalar(), 128));
        for (int i = 0; i < 2; i++) {
            String q = b.op(new QuantizeLinear(0), v, scale, zp);
            String t = b.op(new Transpose(List.of(1, 0)), q);
            v = b.op(new DequantizeLinear(0), t, scale, zp);
        }
        b.output(v);
        List<String> found = RoundTripCheck.violations(b.build(), node -> "cpu:0", (node, dtype) -> 1e-6);
        assertEquals(3, found.size(), found.toString());
        assertEquals(2, found.stream().filter(s -> s.contains("wrapped in a round trip")).count(), found.toString());
    }

    @Test
    void randomGraphsNeverWrapAnOpInAQuantizeRoundTrip() {
        Random r = new Random(11);
        int quantizing = 0;
        for (int i = 0; i < 40; i++) {
            Graph g = Synthetic.randomDag(r, 4 + r.nextInt(16));
            Map<String, double[]> ranges = new LinkedHashMap<>();
            for (String in : g.inputs()) {
                ranges.put(in, new double[] {-1, 1});
            }
            for (Node n : g.nodes()) {
                ranges.put(n.outputs().get(0), n.op().name().equals("Relu") ? new double[] {0, 2} : new double[] {-2, 2});
            }
            List<Target> targets = new ArrayList<>(List.of(cpu(), npu(), withId(Synthetic.gpu(), "gpu:0")));
            Plan p = new Partitioner().plan(g, targets, Preferences.builder().precision(Precision.INT8)
                    .quantization(QuantParams.calibrate(ranges)).build());
            assertNotNull(p.graph());
            for (Conversion c : p.conversions()) {
                quantizing += c.to().isQuantized() || c.from().isQuantized() ? 1 : 0;
            }
            assertEquals(List.of(), RoundTripCheck.violations(p), p.explain());
        }
        assertTrue(quantizing > 0, "some plans quantize, so the check saw quantize conversions");
    }
}
