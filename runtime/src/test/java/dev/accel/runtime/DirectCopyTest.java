package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Graph;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Step;
import dev.accel.partitioner.Target;
import dev.accel.partitioner.Transfer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Direct crossings between devices (one copy through a buffer's host segment) give the same results
 * as crossings through host memory, show in the trace as one copy span on one queue, fall back to
 * the host when a buffer has no segment after all, and keep runs on many threads apart.
 */
class DirectCopyTest {
    private static final Preferences SPLIT = Preferences.builder().pin("matmul_1", "cpu:1").pin("gemm", "cpu:0").build();
    private static final Preferences NPU_FP16 = Preferences.builder().precision(Precision.FP16).pin("matmul_1", "npu")
            .pin("gemm", "npu").build();
    private static final String OUT = "gemm_out";

    private static HostTensor input() {
        return TestSupport.random(TensorType.of(DType.F32, 32, 64), 21);
    }

    /** Runs one session over {@code devices} (closed after) and returns the output, the plan and the trace. */
    private static Ran run(Graph g, List<Device> devices, Preferences prefs, HostTensor x) {
        try (Session s = Session.builder(g).devices(devices).preferences(prefs).build(); RunResult r = s.run(Map.of("x", x), true)) {
            return new Ran(r.output(OUT).toFloatArray(), r.plan(), r.trace());
        } finally {
            devices.forEach(Device::close);
        }
    }

    private record Ran(float[] out, Plan plan, Trace trace) {
    }

    private static float[] cpuOnly(Graph g, HostTensor x) {
        return run(g, new ArrayList<>(List.of(TestSupport.cpu())), Preferences.defaults(), x).out();
    }

    private static List<Trace.Span> spans(Trace t, String category) {
        return t.spans().stream().filter(s -> s.category().equals(category)).toList();
    }

    @Test
    void twoCpusCrossDirectlyAndAgreeBitForBitWithTheHostPath() {
        Graph g = TestSupport.mlp(11);
        try (HostTensor x = input()) {
            float[] want = cpuOnly(g, x);
            Ran direct = run(g, new ArrayList<>(List.of(TestSupport.cpu(), TestSupport.cpu1())), SPLIT, x);
            Ran viaHost = run(g, new ArrayList<>(List.of(new NoSegmentDevice(TestSupport.cpu(), "cpu:0"),
                    new NoSegmentDevice(TestSupport.cpu(), "cpu:1"))), SPLIT, x);
            assertArrayEquals(want, direct.out(), "direct crossings change no value");
            assertArrayEquals(want, viaHost.out());

            Plan p = direct.plan();
            assertEquals(2, p.usedTargets().size(), p.explain());
            List<Transfer> between = p.transfers().stream().filter(t -> !t.from().equals(Target.HOST) && !t.to().equals(Target.HOST))
                    .toList();
            assertFalse(between.isEmpty(), p.explain());
            assertTrue(between.stream().allMatch(Transfer::direct), p.explain());
            assertTrue(p.explain().contains("direct device to device"), p.explain());
            // Host memory sees only the graph's input and outputs.
            assertTrue(steps(p, Step.Kind.WRITE).stream().allMatch(g.inputs()::contains), steps(p, Step.Kind.WRITE).toString());
            assertTrue(steps(p, Step.Kind.READ).stream().allMatch(p.graph().outputs()::contains), steps(p, Step.Kind.READ).toString());
            assertEquals(between.size(), steps(p, Step.Kind.COPY).size());

            // The trace: one copy span per crossing, on one queue, and no read or write of a crossing value.
            List<Trace.Span> copies = spans(direct.trace(), "copy");
            assertEquals(between.size(), copies.size(), direct.trace().toJson());
            for (Trace.Span c : copies) {
                assertEquals("direct", c.args().get("path"), c.toString());
                assertTrue(c.name().startsWith("copy "), c.name());
            }
            for (Trace.Span s : spans(direct.trace(), "read")) {
                assertTrue(p.graph().outputs().contains(s.name().substring("read ".length())), s.toString());
            }

            // Through host memory the same crossings are a read and a write each, and no copy.
            Plan h = viaHost.plan();
            assertTrue(h.transfers().stream().noneMatch(Transfer::direct), h.explain());
            assertTrue(spans(viaHost.trace(), "copy").isEmpty());
            assertTrue(spans(viaHost.trace(), "read").size() > spans(direct.trace(), "read").size());
        }
    }

    @Test
    void cpuAndNpuInFloat16CrossDirectlyAndAgreeWithTheHostPath() {
        Graph g = TestSupport.mlp(12);
        try (HostTensor x = input()) {
            long before = NpuDevice.nativeAllocationCount();
            Ran direct = run(g, new ArrayList<>(List.of(TestSupport.cpu(), TestSupport.npu())), NPU_FP16, x);
            assertEquals(before, NpuDevice.nativeAllocationCount(), "the session freed everything it made on the NPU");
            Ran viaHost = run(g, new ArrayList<>(List.of(new NoSegmentDevice(TestSupport.cpu(), "cpu:0"),
                    new NoSegmentDevice(TestSupport.npu(), "npu:0"))), NPU_FP16, x);
            Plan p = direct.plan();
            assertTrue(p.usedTargets().stream().anyMatch(t -> t.id().equals("npu:0")), p.explain());
            assertTrue(p.targets().stream().allMatch(Target::hostAddressable), "the CPU's and the NPU's buffers have segments");
            assertTrue(viaHost.plan().targets().stream().noneMatch(Target::hostAddressable));
            for (String node : List.of("matmul_1", "gemm")) {
                assertEquals(p.deviceOf(node), viaHost.plan().deviceOf(node));
            }
            // Same placement, same conversions on the same devices: only how the bytes moved differs.
            for (var n : p.graph().nodes()) {
                assertEquals(p.deviceOf(n.name()), viaHost.plan().deviceOf(n.name()), n.name());
            }
            assertArrayEquals(viaHost.out(), direct.out(), "float16 on the NPU, crossing directly or through the host");
            float[] want = cpuOnly(g, x);
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < want.length; i++) {
                scale = Math.max(scale, Math.abs(want[i]));
                diff = Math.max(diff, Math.abs(want[i] - direct.out()[i]));
            }
            assertTrue(diff / scale < 1e-2 && diff > 0, "float16 split vs float32 CPU: " + diff / scale);

            List<Step> copies = steps(p).stream().filter(s -> s.kind() == Step.Kind.COPY).toList();
            assertTrue(copies.stream().anyMatch(s -> s.source().equals("cpu:0") && s.destination().equals("npu:0")), p.explain());
            assertTrue(copies.stream().anyMatch(s -> s.source().equals("npu:0") && s.destination().equals("cpu:0")), p.explain());
            // Both sides addressable: the source's transfer queue reads straight into the destination's memory.
            assertTrue(copies.stream().allMatch(Step::transferQueue));
            List<Trace.Span> spans = spans(direct.trace(), "copy");
            assertEquals(copies.size(), spans.size(), direct.trace().toJson());
            assertTrue(spans.stream().anyMatch(s -> s.device().equals("npu:0") && s.lane().equals("transfer")));
            assertTrue(spans.stream().anyMatch(s -> s.device().equals("cpu:0") && s.lane().equals("transfer")));
            assertTrue(spans.stream().allMatch(s -> "direct".equals(s.args().get("path"))));
        }
    }

    @Test
    void buffersWithoutTheSegmentTheirTargetClaimedCrossThroughTheHost() {
        Graph g = TestSupport.mlp(13);
        try (HostTensor x = input()) {
            float[] want = cpuOnly(g, x);
            // Neither side gives a segment: each copy goes through a staging host tensor, in the copy's one step.
            Executed both = execute(g, List.of(new NoSegmentDevice(TestSupport.cpu(), "cpu:0"),
                    new NoSegmentDevice(TestSupport.cpu(), "cpu:1")), x);
            assertArrayEquals(want, both.out());
            assertFalse(both.copies().isEmpty());
            assertTrue(both.copies().stream().allMatch(s -> "via host".equals(s.args().get("path"))), both.copies().toString());

            // Only the destination (cpu:0) lacks one: its compute queue writes from the source's segment instead of the
            // source's transfer queue reading into the destination's, as planned.
            Executed one = execute(g, List.of(new NoSegmentDevice(TestSupport.cpu(), "cpu:0"), TestSupport.cpu1()), x);
            assertArrayEquals(want, one.out());
            assertFalse(one.copies().isEmpty());
            for (Trace.Span c : one.copies()) {
                assertTrue(c.name().endsWith("cpu:1 -> cpu:0"), c.toString());
                assertEquals("direct", c.args().get("path"), c.toString());
                assertEquals("cpu:0", c.device(), "planned on cpu:1's transfer queue, made by cpu:0's compute queue: " + c);
                assertEquals("compute", c.lane());
            }
        }
    }

    private record Executed(float[] out, List<Trace.Span> copies) {
    }

    /** Plans over targets that claim host-addressable memory whatever the devices' buffers say, and runs once. */
    private static Executed execute(Graph g, List<Device> devices, HostTensor x) {
        Map<String, Device> byId = new LinkedHashMap<>();
        List<Target> targets = new ArrayList<>();
        try {
            for (Device d : devices) {
                byId.put(d.info().id(), d);
                targets.add(Target.of(d).withHostAddressable(true));
            }
            Graph resolved;
            try (Session s = Session.builder(g).devices(devices).build()) {
                resolved = s.plan(Map.of("x", x.shape())).source();
            }
            Plan plan = new Partitioner().plan(resolved, targets, SPLIT);
            assertTrue(plan.transfers().stream().filter(t -> !t.from().equals(Target.HOST) && !t.to().equals(Target.HOST))
                    .allMatch(Transfer::direct), plan.explain());
            try (Executable exe = new Executable(plan, byId)) {
                TraceRecorder rec = new TraceRecorder(System.nanoTime(), plan.steps());
                Map<String, HostTensor> out = exe.run(Map.of("x", x), rec);
                try {
                    return new Executed(out.get(OUT).toFloatArray(), rec.spans().stream().filter(s -> s.category().equals("copy"))
                            .toList());
                } finally {
                    out.values().forEach(HostTensor::close);
                }
            }
        } finally {
            devices.forEach(Device::close);
        }
    }

    @Test
    void manyThreadsRunASessionWithDirectCopiesAndGetTheSameResult() throws Exception {
        Graph g = TestSupport.mlp(14);
        try (HostTensor x = input(); Device cpu = TestSupport.cpu(); Device cpu1 = TestSupport.cpu1();
             Session s = Session.builder(g).devices(List.of(cpu, cpu1)).preferences(SPLIT).build()) {
            float[] want;
            try (RunResult r = s.run(Map.of("x", x))) {
                want = r.output(OUT).toFloatArray();
                assertTrue(r.plan().transfers().stream().anyMatch(Transfer::direct), r.plan().explain());
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<float[]>> futures = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    futures.add(pool.submit(() -> {
                        try (RunResult r = s.run(Map.of("x", x))) {
                            return r.output(OUT).toFloatArray();
                        }
                    }));
                }
                for (var f : futures) {
                    // Each run has its own buffers; a copy racing a reuse of its buffer would give other values.
                    assertArrayEquals(want, f.get(), 1e-5f, "a concurrent run differs");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static List<Step> steps(Plan p) {
        return p.steps();
    }

    private static List<String> steps(Plan p, Step.Kind kind) {
        return p.steps().stream().filter(s -> s.kind() == kind).map(Step::value).toList();
    }
}
