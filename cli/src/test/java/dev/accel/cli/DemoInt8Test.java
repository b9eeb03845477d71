package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9's INT8 agreement on the demo models: calibrated on 16 random inputs, then, on 100 other
 * random inputs, the int8 plan split across the CPU and the NPU (every other weighted layer pinned
 * to each) against the CPU alone in float32. The CNN is a classifier: its top-1 class must agree
 * for at least 99% of the inputs (issue 9's goal). The transformer block's output is a residual
 * stream, not class scores; the largest feature of each token stands in for a top-1, a stricter
 * test (features of random weights lie close together), measured at 98.0-98.8% here with 8-bit
 * activations on the CPU or the NPU alike, so it is asserted at 97%: enough to catch a wrong
 * scale or zero point (which drops it towards chance, 1 in 32), not a claim of the classifier goal.
 * The reference must pick more than one distinct answer, or agreement would prove nothing.
 */
class DemoInt8Test {
    private static final System.Logger LOG = System.getLogger(DemoInt8Test.class.getName());
    private static final int INPUTS = 100;

    @ParameterizedTest
    @ValueSource(strings = {"cnn", "transformer"})
    void int8SplitAgreesOnTopOneWithFloat32(String model) {
        double required = model.equals("cnn") ? 0.99 : 0.97;
        Graph g = model.equals("cnn") ? cnn() : Passes.optimize(DemoTransformer.build(8, 32, 4, 11), Map.of());
        try (Device cpu = Backends.find("cpu").orElseThrow().open().getFirst();
             Device npu = Backends.find("npu").orElseThrow().open().getFirst()) {
            Int8Setup int8 = Int8Setup.of(g, Preferences.builder().precision(Precision.INT8).build(), 16, 500, List.of(cpu));
            Preferences.Builder forced = int8.preferences().toBuilder();
            Map<String, String> groupDevice = new HashMap<>();
            int weighted = 0;
            for (Node n : g.nodes()) {
                String group = n.annotations().getOrDefault("fusion.group", n.name());
                String op = n.op().name();
                if (!groupDevice.containsKey(group) && (op.equals("Conv") || op.equals("MatMul") || op.equals("Gemm"))) {
                    groupDevice.put(group, weighted++ % 2 == 0 ? "npu:0" : "cpu:0");
                }
                if (groupDevice.containsKey(group)) {
                    forced.pin(n.name(), groupDevice.get(group));
                }
            }
            String out = g.outputs().getFirst();
            String planSummary = "";
            int agree = 0;
            int total = 0;
            Set<Integer> classes = new HashSet<>();
            try (Session ref = Session.builder(g).devices(List.of(cpu)).build();
                 Session split = Session.builder(int8.graph()).devices(List.of(cpu, npu)).preferences(forced.build()).build()) {
                for (int i = 0; i < INPUTS; i++) {
                    Map<String, HostTensor> in = RunCommand.inputs(g, 10_000 + i);
                    try (RunResult want = ref.run(in); RunResult got = split.run(in)) {
                        if (i == 0) {
                            planSummary = got.plan().regions().stream().map(r -> r.device() + "/" + r.precision().label() + "x"
                                    + r.nodes().size()).toList().toString();
                            assertTrue(got.plan().usedTargets().size() == 2 && got.plan().explain().contains("int8"),
                                    "the forced plan runs int8 on both devices:\n" + got.plan().explain());
                        }
                        HostTensor w = want.output(out);
                        HostTensor h = got.output(out);
                        int width = w.type().shape().dim(-1);
                        for (long row = 0; row < w.numel() / width; row++) {
                            int a = argmax(w, row * width, width);
                            classes.add(a);
                            agree += a == argmax(h, row * width, width) ? 1 : 0;
                            total++;
                        }
                    } finally {
                        in.values().forEach(HostTensor::close);
                    }
                }
            }
            double rate = (double) agree / total;
            String line = String.format(Locale.ROOT, "%s int8 over cpu:0 + npu:0: top-1 agreement %d/%d (%.1f%%), %d distinct reference "
                    + "answers; %s; regions %s", model, agree, total, 100 * rate, classes.size(), int8.description(), planSummary);
            LOG.log(System.Logger.Level.INFO, line);
            assertTrue(classes.size() > 1, "the float32 reference always gives the same answer, so agreement proves nothing: " + line);
            assertTrue(rate >= required, line);
        }
    }

    private static Graph cnn() {
        try (DemoNetwork net = DemoNetwork.build(DType.F32, 1, 32, 11)) {
            return net.toGraph();
        }
    }

    private static int argmax(HostTensor t, long from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (t.getDouble(from + j) > t.getDouble(from + best)) {
                best = j;
            }
        }
        return best;
    }
}
