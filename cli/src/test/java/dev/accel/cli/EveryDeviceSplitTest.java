package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.onnx.ModelRewrites;
import dev.accel.onnx.OnnxReader;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9's heterogeneous correctness on every device this machine has: the demo models and the two
 * small light models (seeded random weights) with their weighted layers pinned round-robin over the
 * devices, against the CPU alone. Float32 across the float32 devices (cpu, opencl, vulkan) agrees
 * within 1e-4 of the largest output; with float16 allowed and the NPU in the rotation, within 1e-2.
 * A device listed in ACCEL_REQUIRE that is unavailable fails the test; one not listed is left out
 * with the reason.
 */
class EveryDeviceSplitTest {
    private static final System.Logger LOG = System.getLogger(EveryDeviceSplitTest.class.getName());
    private static final List<String> WANTED = List.of("cpu", "opencl", "vulkan", "npu");
    private static final List<Device> DEVICES = new ArrayList<>();
    private static Device cpu;

    @BeforeAll
    static void open() {
        Set<String> required = new LinkedHashSet<>(List.of(System.getenv().getOrDefault("ACCEL_REQUIRE", "").split("\\s*,\\s*")));
        for (String id : WANTED) {
            Backend b = Backends.find(id).orElse(null);
            var a = b == null ? null : b.probe();
            if (b == null || !a.available()) {
                String why = b == null ? "not on the class path" : a.detail() + "; " + a.fix();
                assertTrue(!required.contains(id), "ACCEL_REQUIRE lists " + id + " but it is unavailable: " + why);
                LOG.log(System.Logger.Level.INFO, () -> "left out " + id + ": " + why);
                continue;
            }
            DEVICES.add(b.open().getFirst());
        }
        cpu = DEVICES.getFirst();
    }

    @AfterAll
    static void close() {
        DEVICES.forEach(Device::close);
    }

    static Graph model(String name) {
        return switch (name) {
            case "demo-cnn" -> {
                try (DemoNetwork net = DemoNetwork.build(DType.F32, 1, 32, 7)) {
                    yield net.toGraph();
                }
            }
            case "demo-transformer" -> Passes.optimize(DemoTransformer.build(16, 32, 4, 7), Map.of());
            default -> {
                Path p = Path.of("..", "..", "shared", "conformance", "onnx", "light", "light_" + name + ".onnx").toAbsolutePath()
                        .normalize();
                assumeTrue(Files.exists(p), "the shared ONNX corpus is absent (" + p + "): this case reads ../shared/conformance/onnx");
                Graph g = Passes.resolve(OnnxReader.read(p).graph(), Map.of());
                Graph random = Passes.optimize(ModelRewrites.logits(ModelRewrites.randomWeights(g, 42)), Map.of());
                yield name.equals("shufflenet") ? scaled(random, 0.7) : random;
            }
        };
    }

    /**
     * Every Conv and Gemm weight times {@code alpha}: with random He-scaled weights and random
     * BatchNorm statistics ShuffleNet's activations reach 1e6, past float16's 65504, which would
     * test overflow rather than placement (runtime's LightModelsTest says more).
     */
    private static Graph scaled(Graph g, double alpha) {
        dev.accel.graph.GraphBuilder b = g.toBuilder();
        Set<String> done = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            dev.accel.graph.Constant c = g.constant(n.inputs().get(n.inputs().size() > 1 ? 1 : 0));
            if ((n.op().name().equals("Conv") || n.op().name().equals("Gemm")) && c != null && done.add(n.inputs().get(1))) {
                b.replaceConstant(n.inputs().get(1), dev.accel.graph.Constant.build(c.type(), t -> {
                    for (long i = 0; i < c.numel(); i++) {
                        t.setDouble(i, c.getDouble(i) * alpha);
                    }
                }));
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo-cnn", "demo-transformer", "squeezenet", "shufflenet"})
    void roundRobinSplitsAgreeWithTheCpuAlone(String name) {
        Graph g = model(name);
        Map<String, HostTensor> in = RunCommand.inputs(g, 3);
        List<String> f32 = DEVICES.stream().map(d -> d.info().id()).filter(id -> !id.startsWith("npu")).toList();
        List<String> all = DEVICES.stream().map(d -> d.info().id()).toList();
        StringBuilder log = new StringBuilder(name + ":\n");
        try (RunResult want = run(g, List.of(cpu), Preferences.defaults(), in, log)) {
            try (RunResult got = run(g, DEVICES, roundRobin(g, f32, Preferences.defaults()), in, log)) {
                assertTrue(used(got.plan()).containsAll(f32), "every float32 device takes a part: " + used(got.plan()));
                double e = difference(g, want, got);
                log.append(String.format(Locale.ROOT, "  float32 over %s: %.2e%n", f32, e));
                assertTrue(e <= 1e-4, name + " float32 split over " + f32 + " differs by " + e);
            }
            Preferences fp16 = Preferences.builder().precision(Precision.FP16).build();
            try (RunResult got = run(g, DEVICES, roundRobin(g, all, fp16), in, log)) {
                assertEquals(Set.copyOf(all), used(got.plan()), "every device takes a part");
                double e = difference(g, want, got);
                log.append(String.format(Locale.ROOT, "  float16 allowed over %s: %.2e%n", all, e));
                assertTrue(e <= 1e-2, name + " float16 split over " + all + " differs by " + e);
            }
        } finally {
            in.values().forEach(HostTensor::close);
        }
        LOG.log(System.Logger.Level.INFO, log::toString);
    }

    /**
     * The weighted layers (Conv, MatMul, Gemm; with their fusion groups' activations) pinned in turn to
     * each of {@code ids}; a residual group's Add stays free (a device may lack it: the group then splits).
     */
    private static Preferences roundRobin(Graph g, List<String> ids, Preferences base) {
        Preferences.Builder b = base.toBuilder();
        Map<String, String> groupDevice = new HashMap<>();
        int next = 0;
        for (Node n : g.nodes()) {
            String group = n.annotations().getOrDefault("fusion.group", n.name());
            String op = n.op().name();
            if (!groupDevice.containsKey(group) && (op.equals("Conv") || op.equals("MatMul") || op.equals("Gemm"))) {
                groupDevice.put(group, ids.get(next++ % ids.size()));
            }
            if (groupDevice.containsKey(group) && !op.equals("Sum") && !op.equals("Add")) {
                b.pin(n.name(), groupDevice.get(group));
            }
        }
        return b.build();
    }

    private static RunResult run(Graph g, List<Device> devices, Preferences p, Map<String, HostTensor> in, StringBuilder log) {
        try (Session s = Session.builder(g).devices(devices).preferences(p).build()) {
            RunResult r = s.run(in);
            Plan plan = r.plan();
            log.append(String.format(Locale.ROOT, "  %d regions on %s, %d transfers, %d conversions%n", plan.regions().size(),
                    used(plan), plan.transfers().size(), plan.conversions().size()));
            return r;
        }
    }

    private static Set<String> used(Plan p) {
        Set<String> s = new LinkedHashSet<>();
        p.usedTargets().forEach(t -> s.add(t.id()));
        return s;
    }

    /** Over every output: the largest |difference| over the largest |value| of the CPU-alone run. */
    private static double difference(Graph g, RunResult want, RunResult got) {
        double worst = 0;
        for (String o : g.outputs()) {
            Agreement a = Agreement.of(want.output(o), got.output(o));
            assertTrue(a.scale() > 0, o + " is all zeros on the CPU alone: the comparison would prove nothing");
            worst = Double.isNaN(a.relative()) ? Double.NaN : Math.max(worst, a.relative());
        }
        return worst;
    }
}
