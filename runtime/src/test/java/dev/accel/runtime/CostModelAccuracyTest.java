package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.HostTensor;
import dev.accel.partitioner.CostModel;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Region;
import dev.accel.partitioner.Step;
import dev.accel.partitioner.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The accuracy of the cost model on this machine's devices: per region, |estimated - measured| /
 * measured, where measured is the sum of the region's kernel times (each kernel's median over three
 * traced runs, after warm-up runs until the run time settles). Over the light models (seeded random weights), each planned with float16 allowed
 * twice, by the cost model's choice and with every other convolution forced onto each device, and
 * with two cost models: the roofline over profiles measured by {@link Calibrator}, and the
 * measured mode ({@link KernelTimer}). Prints the medians; asserts only that they were computed.
 *
 * <p>A measurement, not a check: it takes a few minutes, so it runs only when asked:
 * {@code mvn -pl runtime verify -Dtest=CostModelAccuracyTest -Daccel.accuracy=true} (add
 * {@code -Daccel.accuracy.models=shufflenet} to measure fewer models).
 */
class CostModelAccuracyTest {
    private static final System.Logger LOG = System.getLogger(CostModelAccuracyTest.class.getName());

    @Test
    void medianRegionErrorOnTheLightModels() {
        Assumptions.assumeTrue(Boolean.getBoolean("accel.accuracy"),
                "a minutes-long measurement run by hand: -Daccel.accuracy=true (see the class comment)");
        StringBuilder report = new StringBuilder();
        Map<String, List<Double>> errors = new HashMap<>();
        try (Device cpu = TestSupport.cpu(); NpuDevice npu = TestSupport.npu()) {
            List<Device> devices = List.of(cpu, npu);
            Calibrator cal = new Calibrator();
            Map<String, DeviceProfile> profiles = new HashMap<>();
            for (Device d : devices) {
                profiles.put(d.info().id(), cal.measure(d));
                report.append(d.info().id()).append(" calibrated: ").append(profiles.get(d.info().id())).append('\n');
            }
            List<Target> targets = devices.stream().map(d -> Target.of(d, profiles.get(d.info().id()))).toList();
            for (String net : System.getProperty("accel.accuracy.models", "squeezenet,shufflenet,resnet50").split(",")) {
                Graph g = LightModelsTest.model(net);
                Preferences fp16 = Preferences.builder().precision(Precision.FP16).build();
                Preferences.Builder forced = fp16.toBuilder();
                int convs = 0;
                Map<String, String> group = new HashMap<>();
                for (Node n : g.nodes()) {
                    String key = n.annotations().getOrDefault("fusion.group", n.name());
                    if (n.op().name().equals("Conv")) {
                        group.put(key, convs++ % 2 == 0 ? "npu" : "cpu");
                    }
                    if (group.containsKey(key)) {
                        forced.pin(n.name(), group.get(key));
                    }
                }
                Partitioner roofline = new Partitioner();
                Plan first = roofline.plan(g, targets, fp16);
                CostModel measured = new KernelTimer().measure(first, devices, CostModel.roofline());
                Partitioner timed = roofline.withCostModel(measured);
                for (var mode : List.of(Map.entry("roofline", roofline), Map.entry("measured", timed))) {
                    for (var placement : List.of(Map.entry("chosen", fp16), Map.entry("forced", forced.build()))) {
                        measure(net, g, devices, profiles, mode.getKey(), mode.getValue(), placement.getKey(), placement.getValue(),
                                errors, report);
                    }
                }
            }
        }
        report.append("\nmedian |estimated - measured| / measured per region:\n");
        errors.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> report.append(String.format(Locale.ROOT,
                "  %-28s %5.1f%%  (%d regions)%n", e.getKey(), 100 * median(e.getValue()), e.getValue().size())));
        LOG.log(System.Logger.Level.INFO, report::toString);
        assertTrue(!errors.isEmpty());
    }

    private static void measure(String net, Graph g, List<Device> devices, Map<String, DeviceProfile> profiles, String mode,
                                Partitioner p, String placement, Preferences prefs, Map<String, List<Double>> errors,
                                StringBuilder report) {
        Session.Builder b = Session.builder(g).devices(devices).preferences(prefs).partitioner(p);
        profiles.forEach(b::profile);
        try (Session s = b.build(); HostTensor x = TestSupport.random(g.type(g.inputs().get(0)).toTensorType(), 3)) {
            warmUp(s, Map.of(g.inputs().get(0), x));
            // Per node, the median kernel time of three traced runs.
            Map<String, List<Double>> times = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                try (RunResult r = s.run(Map.of(g.inputs().get(0), x), true)) {
                    kernelTimes(r, times);
                }
            }
            try (RunResult r = s.run(Map.of(g.inputs().get(0), x), true)) {
                kernelTimes(r, times);
                Map<String, Double> kernel = new HashMap<>();
                times.forEach((n, v) -> kernel.put(n, median(v)));
                List<String> lines = new ArrayList<>();
                for (Region reg : r.plan().regions()) {
                    double m = 0;
                    for (String n : reg.nodes()) {
                        m += kernel.getOrDefault(n, 0.0);
                    }
                    if (m <= 0) {
                        continue;
                    }
                    double e = Math.abs(reg.seconds() - m) / m;
                    errors.computeIfAbsent(mode + " all", k -> new ArrayList<>()).add(e);
                    errors.computeIfAbsent(mode + " " + reg.device(), k -> new ArrayList<>()).add(e);
                    String ops = reg.nodes().size() > 3 ? reg.nodes().size() + " nodes" : reg.nodes().stream()
                            .map(n -> g.node(n).map(node -> node.op().name()).orElse(n)).toList().toString();
                    lines.add(String.format(Locale.ROOT, "#%d %s %.2f/%.2f ms %s", reg.index(), reg.device(), reg.seconds() * 1e3, m * 1e3,
                            ops));
                }
                report.append(String.format(Locale.ROOT, "%s %s %s: %d regions, estimated %.1f ms, run %.1f ms; %s%n", net, mode,
                        placement, r.plan().regions().size(), r.plan().estimatedSeconds() * 1e3, r.seconds() * 1e3,
                        String.join(", ", lines)));
            }
        }
    }

    /**
     * Runs until the run time settles, as a JIT-compiled backend's does once C2 has compiled its
     * kernels (on a 2-core machine that takes tens of runs of a CNN): at least 10 runs and 3 s, then
     * until the median of the last 5 runs is within 3% of the median of the 5 before; at most 80 runs.
     */
    private static void warmUp(Session s, Map<String, HostTensor> in) {
        List<Double> t = new ArrayList<>();
        long t0 = System.nanoTime();
        while (t.size() < 80) {
            try (RunResult r = s.run(in)) {
                t.add(r.seconds());
            }
            int n = t.size();
            if (n >= 10 && System.nanoTime() - t0 > 3_000_000_000L) {
                double last = median(t.subList(n - 5, n));
                double before = median(t.subList(n - 10, n - 5));
                if (Math.abs(last - before) <= 0.03 * before) {
                    return;
                }
            }
        }
    }

    private static void kernelTimes(RunResult r, Map<String, List<Double>> times) {
        for (StepTiming t : r.timings()) {
            if (t.step().kind() == Step.Kind.KERNEL) {
                times.computeIfAbsent(t.step().node(), k -> new ArrayList<>()).add(t.seconds());
            }
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
