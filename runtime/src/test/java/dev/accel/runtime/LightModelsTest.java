package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.onnx.ModelRewrites;
import dev.accel.onnx.OnnxReader;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The light models with seeded random weights (their logits), split across the CPU and the NPU,
 * against the CPU alone: the cost model's own float16 split and a forced one (every other
 * convolution pinned to each device) agree within 1e-2 of the largest logit; a float32 split across
 * two CPU instances, every crossing through host memory, within 1e-4.
 *
 * <p>The random weights of the residual networks are scaled by 0.7: with He-initialised weights
 * and random BatchNorm statistics their activations grow past float16's largest value (65504:
 * ShuffleNet reaches 1e6, ResNet-50 8e4), which would test overflow rather than placement. Scaled,
 * the largest activations are 62 and 23 and the logits 22 and 12.
 */
class LightModelsTest {
    private static final System.Logger LOG = System.getLogger(LightModelsTest.class.getName());

    static Graph model(String net) {
        Graph g = Passes.resolve(OnnxReader.read(TestSupport.light(net)).graph(), Map.of());
        Graph opt = Passes.optimize(ModelRewrites.logits(ModelRewrites.randomWeights(g, 42)), Map.of());
        return net.equals("squeezenet") ? opt : scaled(opt, 0.7);
    }

    /** The graph with every Conv and Gemm weight (not bias) multiplied by {@code alpha}. */
    static Graph scaled(Graph g, double alpha) {
        dev.accel.graph.GraphBuilder b = g.toBuilder();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (!(n.op().name().equals("Conv") || n.op().name().equals("Gemm"))) {
                continue;
            }
            String w = n.inputs().get(1);
            dev.accel.graph.Constant c = g.constant(w);
            if (c == null || !done.add(w)) {
                continue;
            }
            b.replaceConstant(w, dev.accel.graph.Constant.build(c.type(), t -> {
                for (long i = 0; i < c.numel(); i++) {
                    t.setDouble(i, c.getDouble(i) * alpha);
                }
            }));
        }
        return b.build();
    }

    private static HostTensor run(Graph g, List<Device> devices, Preferences p, HostTensor x, StringBuilder log) {
        try (Session s = Session.builder(g).devices(devices).preferences(p).build();
             RunResult r = s.run(Map.of(g.inputs().get(0), x))) {
            Plan plan = r.plan();
            log.append(String.format(Locale.ROOT, "  %s: %d regions on %s, %d transfers, %d conversions, estimated %.2f ms, ran %.1f ms%n",
                    p, plan.regions().size(), plan.usedTargets().stream().map(t -> t.id()).toList(), plan.transfers().size(),
                    plan.conversions().size(), plan.estimatedSeconds() * 1e3, r.seconds() * 1e3));
            HostTensor h = r.output(g.outputs().get(0));
            HostTensor copy = HostTensor.allocate(h.type());
            java.lang.foreign.MemorySegment.copy(h.segment(), 0, copy.segment(), 0, h.type().byteSize());
            return copy;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet", "shufflenet", "resnet50"})
    void splitsAgreeWithTheCpuAlone(String net) {
        Graph g = model(net);
        StringBuilder log = new StringBuilder(net + ":\n");
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu(); Device cpu1 = TestSupport.cpu1();
             HostTensor x = TestSupport.random(g.type(g.inputs().get(0)).toTensorType(), 7)) {
            try (HostTensor want = run(g, List.of(cpu), Preferences.defaults(), x, log)) {
                Preferences fp16 = Preferences.builder().precision(Precision.FP16).build();
                try (HostTensor got = run(g, List.of(cpu, npu), fp16, x, log)) {
                    double e = TestSupport.relativeError(want, got);
                    log.append(String.format(Locale.ROOT, "    float16, cost model's split: %.2e%n", e));
                    assertTrue(e < 1e-2, net + " float16 split: " + e);
                }
                Preferences.Builder forced = fp16.toBuilder();
                Preferences.Builder fp32Split = Preferences.builder();
                int convs = 0;
                List<Node> nodes = g.nodes();
                Map<String, String> groupDevice = new java.util.HashMap<>();
                for (int i = 0; i < nodes.size(); i++) {
                    Node n = nodes.get(i);
                    // A fusion group (a Conv and its activation) shares one pin; a residual block's Sum, which
                    // the NPU lacks, stays unpinned, so its group splits where the Conv is on the NPU.
                    String group = n.annotations().getOrDefault("fusion.group", n.name());
                    if (n.op().name().equals("Conv")) {
                        forced.pin(n.name(), groupDevice.computeIfAbsent("f16:" + group, k -> "npu"));
                        int c = convs++;
                        groupDevice.put("f16:" + group, c % 2 == 0 ? "npu" : "cpu");
                        forced.pin(n.name(), groupDevice.get("f16:" + group));
                    } else if (groupDevice.containsKey("f16:" + group) && !n.op().name().equals("Sum")) {
                        forced.pin(n.name(), groupDevice.get("f16:" + group));
                    }
                    int index = i;
                    fp32Split.pin(n.name(), groupDevice.computeIfAbsent("f32:" + group,
                            k -> index < nodes.size() / 2 == (index % 3 != 0) ? "cpu:1" : "cpu:0"));
                }
                try (HostTensor got = run(g, List.of(cpu, npu), forced.build(), x, log)) {
                    double e = TestSupport.relativeError(want, got);
                    log.append(String.format(Locale.ROOT, "    float16, every other convolution on each device: %.2e%n", e));
                    assertTrue(e < 1e-2, net + " forced float16 split: " + e);
                }
                try (HostTensor got = run(g, List.of(cpu, cpu1), fp32Split.build(), x, log)) {
                    double e = TestSupport.relativeError(want, got);
                    log.append(String.format(Locale.ROOT, "    float32 across cpu:0 and cpu:1: %.2e%n", e));
                    assertTrue(e < 1e-4, net + " float32 split: " + e);
                }
            }
            assertEquals(0, npu.stats().liveBuffers(), "every session freed its NPU buffers");
        }
        LOG.log(System.Logger.Level.INFO, log::toString);
    }
}
