package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.Support;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DevicesCommandTest {
    /** Attention unsupported, float16 emulated, bfloat16 unsupported, the rest native. */
    static final Capabilities MIXED = spec -> {
        DType d = spec.inputs().getFirst().dtype();
        if (d == DType.BF16) {
            return Support.unsupported("no bf16 here");
        }
        if (spec.op().name().equals("Attention")) {
            return Support.unsupported("no attention here");
        }
        return d == DType.F16 ? Support.emulated("f16 via f32") : Support.nativeSupport();
    };

    private static Supplier<List<Backend>> fakes(FakeDevice device) {
        return () -> List.of(
                FakeBackend.of("fake", () -> List.of(device)),
                FakeBackend.unavailable("opencl", "libOpenCL.so.1 not found", "apt-get install ocl-icd-libopencl1"),
                FakeBackend.of("broken", () -> {
                    throw new IllegalStateException("driver crashed");
                }));
    }

    @Test
    void printsEveryBackendWithReasonFixAndDeviceFacts() {
        FakeDevice dev = new FakeDevice("fake:0", true, 0, MIXED);
        CliRunner.Result r = CliRunner.run(fakes(dev), "devices");
        assertEquals(Main.OK, r.status(), r.all());
        String out = r.out();
        assertTrue(out.startsWith("accel devices: 3 backends on the class path, 2 available, 1 device opened"), r.all());
        assertTrue(out.contains("backend fake: available (fake fake driver)"), r.all());
        assertTrue(out.contains("  fake:0  Fake fake:0"), r.all());
        assertTrue(out.matches("(?s).*kind\\s+OTHER\n.*"), r.all());
        assertTrue(out.matches("(?s).*memory\\s+3\\.0 GiB, separate from host memory\n.*"), r.all());
        assertTrue(out.matches("(?s).*fake detail\\s+lanes 7\n.*"), r.all());
        assertTrue(out.contains("backend opencl: unavailable\n  reason: libOpenCL.so.1 not found\n"
                + "  fix:    apt-get install ocl-icd-libopencl1\n"), r.all());
        assertTrue(out.contains("backend broken: available (fake broken driver)\n"
                + "  open failed: IllegalStateException: driver crashed\n"), r.all());
        assertTrue(out.contains("profile        peak {F32 1.0 GOP/s}"), r.all());
        assertTrue(out.contains("not on the class path of this accel (in progress): cpu, cuda, vulkan, npu"), r.all());
        assertEquals(1, dev.closeCount, "the command closes the devices it opened");
    }

    @Test
    void capabilitySummaryCountsEachLevel() {
        CliRunner.Result r = CliRunner.run(fakes(new FakeDevice("fake:0", true, 0, MIXED)), "devices");
        int f32 = CapabilitySummary.specs(DType.F32).size();
        int f16 = CapabilitySummary.specs(DType.F16).size();
        int bf16 = CapabilitySummary.specs(DType.BF16).size();
        int i8 = CapabilitySummary.specs(DType.I8).size();
        // Each float list holds one Attention spec; the int8 list holds none.
        assertCounts(r.out(), "float32", f32, f32 - 1, 0, 1);
        assertCounts(r.out(), "float16", f16, 0, f16 - 1, 1);
        assertCounts(r.out(), "bfloat16", bf16, 0, 0, bf16);
        assertCounts(r.out(), "int8", i8, i8, 0, 0);
        assertFalse(r.out().contains("no bf16 here"), "reasons are listed only with --verbose");
        CliRunner.Result v = CliRunner.run(fakes(new FakeDevice("fake:0", true, 0, MIXED)), "devices", "--verbose");
        assertTrue(v.out().contains("Attention(float32[1, 2, 16, 32], float32[1, 2, 16, 32], float32[1, 2, 16, 32])"
                + " -> float32[1, 2, 16, 32]: UNSUPPORTED (no attention here)"), v.all());
        assertEquals(bf16, count(v.out(), "UNSUPPORTED (no bf16 here)"), v.all());
    }

    @Test
    void aThrowingCapabilityQueryCountsAsUnsupported() {
        Capabilities throwing = spec -> {
            throw new IllegalStateException("boom");
        };
        List<CapabilitySummary.Row> rows = CapabilitySummary.of(throwing);
        for (CapabilitySummary.Row row : rows) {
            assertEquals(row.total(), row.count(Support.Level.UNSUPPORTED));
            assertTrue(row.notNative().values().iterator().next().reason().contains("boom"));
        }
    }

    @Test
    void representativeSpecsCoverEachDtype() {
        for (DType d : CapabilitySummary.DTYPES) {
            List<dev.accel.hal.op.OpSpec> specs = CapabilitySummary.specs(d);
            assertTrue(specs.size() >= 10, d + " has " + specs.size() + " specs");
            assertTrue(specs.stream().allMatch(s -> s.inputs().stream().anyMatch(t -> t.dtype() == d)
                    || s.outputs().stream().anyMatch(t -> t.dtype() == d)), d + ": every spec involves " + d);
            assertEquals(specs.size(), specs.stream().distinct().count(), d + ": no duplicates");
        }
    }

    @Test
    void missingRequiredBackendFails() {
        CliRunner.Result r = CliRunner.run(fakes(FakeDevice.reference("fake:0")),
                Map.of("ACCEL_REQUIRE", "fake,opencl,cuda,broken"), false, "devices");
        assertEquals(Main.FAILED, r.status(), r.all());
        assertTrue(r.err().contains("missing opencl (libOpenCL.so.1 not found); cuda (not on the class path of this accel);"
                + " broken (IllegalStateException: driver crashed)"), r.all());
        CliRunner.Result ok = CliRunner.run(fakes(FakeDevice.reference("fake:0")), Map.of("ACCEL_REQUIRE", "fake"), false,
                "devices");
        assertEquals(Main.OK, ok.status(), ok.all());
        assertTrue(ok.out().contains("ACCEL_REQUIRE=fake: every required backend is available"), ok.all());
    }

    @Test
    void realCpuBackendReportsItsVectorSpeciesAndLanes() {
        CliRunner.Result r = CliRunner.run(Backends::discover, Map.of("ACCEL_REQUIRE", "cpu"), false, "devices");
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("backend cpu: available ("), r.all());
        Device cpu = Backends.find("cpu").orElseThrow().open().getFirst();
        try (cpu) {
            DeviceInfo info = cpu.info();
            assertTrue(r.out().contains("  cpu:0  " + info.name() + "\n"), r.all());
            Matcher m = Pattern.compile("vector\\s+FloatVector (\\d+) bits, (\\d+) lanes").matcher(r.out());
            assertTrue(m.find(), r.all());
            assertEquals(Integer.parseInt(m.group(1)), 32 * Integer.parseInt(m.group(2)), "bits = 32 x float lanes");
            for (CapabilitySummary.Row row : CapabilitySummary.of(cpu.capabilities())) {
                assertTrue(r.out().contains(row.dtype().displayName()) && r.out().contains(row.line()), row.line());
            }
            assertTrue(r.out().contains(cpu.profile().toString()), r.all());
        }
    }

    private static void assertCounts(String out, String dtype, int total, int nat, int emu, int unsup) {
        String line = String.format("%-9s %d specs: %d native, %d emulated, %d unsupported", dtype, total, nat, emu, unsup);
        assertTrue(out.contains(line), "expected '" + line + "' in\n" + out);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
