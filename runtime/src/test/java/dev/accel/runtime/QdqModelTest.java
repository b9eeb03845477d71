package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Unary;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.QuantParams;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A QDQ model built in code (a small CNN whose activations pass through QuantizeLinear /
 * DequantizeLinear pairs and whose weights are int8 constants behind DequantizeLinear, with
 * parameters calibrated from its float twin), placed in int8 with {@link QuantParams#fromQdq}, the
 * CPU and the NPU offered (the cost model keeps this small model on the CPU): its top-1 agrees with the QDQ model itself run in float32 on the CPU (which
 * simulates the quantization exactly) on at least 99% of 100 random inputs, over many distinct
 * classes, and no Q/DQ pair is left in the placed graph.
 */
class QdqModelTest {
    private static final int CLASSES = 10;

    /**
     * The CNN; with {@code q} null its float twin, else its QDQ form with those parameters for its
     * input and its two Relu outputs, in that order.
     */
    private static Graph cnn(List<QuantParams.Entry> q) {
        Random r = new Random(5);
        GraphBuilder b = new GraphBuilder(q == null ? "cnn" : "cnn-qdq");
        String x = b.input("x", DType.F32, 1, 3, 16, 16);
        String v = qdq(b, q, 0, x);
        int c = 3;
        for (int layer = 0; layer < 2; layer++) {
            int m = 8 * (layer + 1);
            String w = weights(b, q, r, m, c);
            v = b.op(new Conv2d(1, 1, 1, 1, 1, 1, 1, 1, 1), v, w, b.constantNamed("b", random(r, Shape.of(m), 0.1)));
            v = b.op(Unary.of(Unary.Kind.RELU), v);
            v = qdq(b, q, layer + 1, v);
            c = m;
        }
        v = b.op(new Reshape(Shape.of(1, c * 256)), v);
        b.output(b.op(new Gemm(1f, 1f, false, false), v, b.constantNamed("fc", random(r, Shape.of(c * 256, CLASSES), 0.02))));
        return b.build();
    }

    private static Constant random(Random r, Shape s, double scale) {
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * scale;
        }
        return Constant.ofDoubles(DType.F32, s, v);
    }

    /** Weights {@code [m, c, 3, 3]}: float, or int8 per output channel behind a DequantizeLinear. */
    private static String weights(GraphBuilder b, List<QuantParams.Entry> q, Random r, int m, int c) {
        Constant w = random(r, Shape.of(m, c, 3, 3), Math.sqrt(2.0 / (9 * c)));
        if (q == null) {
            return b.constantNamed("w", w);
        }
        int per = c * 9;
        double[] scales = new double[m];
        double[] ints = new double[m * per];
        for (int o = 0; o < m; o++) {
            double max = 0;
            for (int j = 0; j < per; j++) {
                max = Math.max(max, Math.abs(w.getDouble((long) o * per + j)));
            }
            scales[o] = (float) (max / 127);
            for (int j = 0; j < per; j++) {
                ints[o * per + j] = Math.rint(w.getDouble((long) o * per + j) / scales[o]);
            }
        }
        String wq = b.constantNamed("w_q", Constant.ofDoubles(DType.I8, Shape.of(m, c, 3, 3), ints));
        String s = b.constantNamed("w_scale", Constant.ofDoubles(DType.F32, Shape.of(m), scales));
        String z = b.constantNamed("w_zero", Constant.splat(new dev.accel.hal.TensorType(DType.I8, Shape.of(m)), 0));
        return b.op(new DequantizeLinear(0), wq, s, z);
    }

    /** {@code v} through a QuantizeLinear / DequantizeLinear pair with its parameters (none in the float twin). */
    private static String qdq(GraphBuilder b, List<QuantParams.Entry> q, int index, String v) {
        if (q == null) {
            return v;
        }
        QuantParams.Entry e = q.get(index);
        String s = b.constantNamed("scale", Constant.ofDoubles(DType.F32, Shape.scalar(), e.scale()));
        String z = b.constantNamed("zero", Constant.ofDoubles(e.dtype(), Shape.scalar(), e.zeroPoint()));
        return b.op(new DequantizeLinear(0), b.op(new QuantizeLinear(0), v, s, z), s, z);
    }

    @Test
    void aQdqModelRunsInInt8AndAgreesWithItself() {
        Graph twin = cnn(null);
        int n = 100;
        List<Map<String, HostTensor>> inputs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            inputs.add(Map.of("x", TestSupport.random(twin.type("x").toTensorType(), 9000 + i)));
        }
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu()) {
            QuantParams calibrated = Calibration.quantParams(twin, cpu, inputs.subList(0, 20));
            List<QuantParams.Entry> params = new java.util.ArrayList<>(List.of(calibrated.get("x").orElseThrow()));
            twin.nodes().stream().filter(x -> x.op().name().equals("Relu"))
                    .forEach(x -> params.add(calibrated.get(x.outputs().get(0)).orElseThrow()));
            Graph qdq = cnn(params);
            Graph stripped = QuantParams.withoutQdq(qdq);
            assertTrue(stripped.nodes().stream().noneMatch(x -> x.op().name().endsWith("QuantizeLinear")), stripped.toString());
            Preferences int8 = Preferences.builder().precision(Precision.INT8).quantization(QuantParams.fromQdq(qdq)).build();
            int agree = 0;
            double err = 0;
            Set<Integer> classes = new HashSet<>();
            Map<String, Integer> where = new java.util.TreeMap<>();
            try (Session ref = Session.builder(qdq).devices(List.of(cpu)).build();
                 Session s = Session.builder(stripped).devices(List.of(cpu, npu)).preferences(int8).build()) {
                Plan plan = s.plan(Map.of("x", Shape.of(1, 3, 16, 16)));
                long convs = plan.placements().values().stream().filter(p -> p.op().equals("Conv")
                        && p.precision() == Precision.INT8).count();
                assertEquals(2, convs, plan.explain());
                plan.placements().values().forEach(p -> where.merge(p.device() + " " + p.precision(), 1, Integer::sum));
                for (Map<String, HostTensor> in : inputs) {
                    try (RunResult a = ref.run(in); RunResult b = s.run(in)) {
                        HostTensor want = a.output(qdq.outputs().get(0));
                        HostTensor got = b.output(stripped.outputs().get(0));
                        int tw = argmax(want);
                        classes.add(tw);
                        agree += tw == argmax(got) ? 1 : 0;
                        err = Math.max(err, TestSupport.relativeError(want, got));
                    }
                }
            }
            String what = "QDQ CNN on " + where + ": top-1 " + agree + "/" + n + " over " + classes.size() + " classes, logit error " + err;
            System.getLogger(QdqModelTest.class.getName()).log(System.Logger.Level.INFO, what);
            assertTrue(classes.size() >= 3, "the reference's top-1 varies with the input: " + what);
            assertTrue(agree >= 99, what);
            assertTrue(err < 0.05, what);
            assertEquals(0, npu.stats().liveBuffers());
        } finally {
            inputs.forEach(m -> m.values().forEach(HostTensor::close));
        }
    }

    private static int argmax(HostTensor h) {
        int best = 0;
        for (int i = 1; i < h.numel(); i++) {
            if (h.getDouble(i) > h.getDouble(best)) {
                best = i;
            }
        }
        return best;
    }
}
