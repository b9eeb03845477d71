package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Support;
import dev.accel.hal.UnsupportedOpException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
    private static final String[] LAYERS = {"conv1", "bn1", "relu1", "dw2", "relu2", "pw3", "relu3", "shuffle.split",
        "shuffle.swap", "shuffle.merge", "pool", "flatten", "fc", "softmax"};

    private static Supplier<List<Backend>> devices(Device... ds) {
        return () -> List.of(FakeBackend.of("fake", () -> List.of(ds)));
    }

    @Test
    void runsOnEveryDeviceAndReportsTimingsAndDifferences() {
        CliRunner.Result r = CliRunner.run(devices(FakeDevice.reference("fake:0"),
                new FakeDevice("fake:1", true, 0.125, spec -> Support.nativeSupport())),
                "demo", "--each-device", "--size", "16", "--runs", "3", "--warmup", "1");
        assertEquals(Main.OK, r.status(), r.all());
        String out = r.out();
        assertTrue(out.startsWith("accel demo: a MobileNet-style network built in code: 14 ops, float32, batch 1, "
                + "input 3x16x16"), r.all());
        assertTrue(out.contains("  fake:0  Fake fake:0 (OTHER, 3.0 GiB)"), r.all());
        assertTrue(out.matches("(?s).*  0  conv1\\s+Conv 3x3 stride 2\\s+input, conv1.W\\s+float32\\[1, 16, 8, 8\\]\n.*"),
                r.all());
        assertTrue(out.matches("(?s).*  3  dw2\\s+Conv 3x3 depthwise.*"), r.all());
        assertTrue(out.matches("(?s).*  8  shuffle.swap\\s+Transpose \\[0, 2, 1, 3, 4\\]\\s+shuffle.split\\s+"
                + "float32\\[1, 8, 4, 8, 8\\]\n.*"), r.all());
        for (String device : List.of("fake:0", "fake:1")) {
            String table = out.substring(out.indexOf(device + " (Fake " + device + "): median of 3 runs after 1 warm-up run"));
            for (int i = 0; i < LAYERS.length; i++) {
                assertTrue(Pattern.compile("\n +" + i + "  " + Pattern.quote(LAYERS[i]) + " .*NATIVE +[0-9]+\\.[0-9]{3}\n")
                        .matcher(table).find(), device + " row " + LAYERS[i] + " in\n" + out);
            }
            assertTrue(Pattern.compile("\n  whole network queued at once \\(input write, 14 dispatches, output read\\): "
                    + "[0-9]+\\.[0-9]{3} ms\n").matcher(table).find(), out);
        }
        assertTrue(out.contains("largest |difference| of each device's output from fake:0's:\n"
                + "  fake:0  0 (the reference)\n  fake:1  0.125\n"), r.all());
        assertTrue(out.contains("places one\nnetwork across the devices with the partitioner."), r.all());
    }

    @Test
    void aDeviceWithoutKernelsIsReportedAndTheOthersStillRun() {
        CliRunner.Result r = CliRunner.run(devices(new FakeDevice("fake:0", false, 0, spec -> Support.nativeSupport()),
                FakeDevice.reference("fake:1")), "demo", "--each-device", "--size", "8", "--runs", "1", "--warmup", "0");
        assertEquals(Main.FAILED, r.status(), r.all());
        assertTrue(r.out().contains("fake:0 (Fake fake:0) could not run the network: UnsupportedOpException: fake:0: "
                + "Conv(float32[1, 3, 8, 8], float32[16, 3, 3, 3]) -> float32[1, 16, 4, 4] has no kernel yet"), r.all());
        assertTrue(r.out().contains("fake:1 (Fake fake:1): median of 1 run after 0 warm-up runs"), r.all());
        assertTrue(r.out().contains("output from fake:1's:\n  fake:1  0 (the reference)\n"), r.all());
    }

    @Test
    void anUnsupportedLayerIsNamed() {
        FakeDevice noTranspose = new FakeDevice("fake:0", true, 0,
                spec -> spec.op().name().equals("Transpose") ? Support.unsupported("no 5-D transpose") : Support.nativeSupport());
        CliRunner.Result r = CliRunner.run(devices(noTranspose), "demo", "--each-device", "--size", "8", "--runs", "1");
        assertEquals(Main.FAILED, r.status(), r.all());
        assertTrue(r.out().contains("could not run the network: UnsupportedOpException: fake:0 cannot run layer "
                + "shuffle.swap (Transpose(float32[1, 4, 8, 4, 4]) -> float32[1, 8, 4, 4, 4]): no 5-D transpose"), r.all());
    }

    @Test
    void halfPrecisionRunsAndBadOptionsAreUsageErrors() {
        CliRunner.Result r = CliRunner.run(devices(FakeDevice.reference("fake:0")), "demo", "--each-device", "--dtype", "bf16", "--size", "8",
                "--batch", "2", "--runs", "1", "--seed", "7");
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("14 ops, bfloat16, batch 2, input 3x8x8"), r.all());
        assertTrue(r.out().contains("output bfloat16[2, 10]: first image's top class"), r.all());
        CliRunner.Result bad = CliRunner.run(devices(FakeDevice.reference("fake:0")), "demo", "--each-device", "--dtype", "int4");
        assertEquals(Main.USAGE, bad.status());
        assertTrue(bad.err().contains("option '--dtype' must be f32, f16 or bf16, got 'int4'"), bad.all());
        CliRunner.Result unknown = CliRunner.run(devices(FakeDevice.reference("fake:0")), "demo", "--device", "cpu:9");
        assertEquals(Main.USAGE, unknown.status());
        assertTrue(unknown.err().contains("unknown device 'cpu:9' for --device; devices here: fake:0"), unknown.all());
    }

    @Test
    void theNetworkIsAMobileNetStyleChainWithAValidSoftmaxOutput() {
        try (DemoNetwork net = DemoNetwork.build(DType.F32, 3, 12, 1);
             HostTensor input = net.makeInput(1);
             FakeDevice ref = FakeDevice.reference("fake:0")) {
            assertEquals(List.of(LAYERS), net.layers().stream().map(DemoNetwork.Layer::name).toList());
            assertEquals("float32[3, 10]", net.values().get(net.output()).type().toString());
            DemoRun run = DemoRun.run(ref, net, input, 0, 1);
            for (int img = 0; img < 3; img++) {
                double sum = 0;
                for (int c = 0; c < 10; c++) {
                    float p = run.output()[img * 10 + c];
                    assertTrue(p > 0 && p < 1, "probability " + p);
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-5);
            }
            // Seeded: the same seed gives the same weights and output; another seed does not.
            try (DemoNetwork again = DemoNetwork.build(DType.F32, 3, 12, 1);
                 DemoNetwork other = DemoNetwork.build(DType.F32, 3, 12, 2)) {
                assertEquals(0.0, DemoRun.maxAbsDifference(run.output(), DemoRun.run(ref, again, input, 0, 1).output()));
                assertTrue(DemoRun.maxAbsDifference(run.output(), DemoRun.run(ref, other, input, 0, 1).output()) > 0);
            }
        }
    }

    @Test
    void medianAndDifference() {
        assertEquals(2.0, DemoRun.median(new double[] {3, 1, 2}));
        assertEquals(2.5, DemoRun.median(new double[] {4, 1, 3, 2}));
        assertEquals(0.5, DemoRun.maxAbsDifference(new float[] {1, 2, 3}, new float[] {1, 2.5f, 3}));
        assertTrue(Double.isNaN(DemoRun.maxAbsDifference(new float[] {Float.NaN}, new float[] {0})));
        assertEquals(0.0, DemoRun.maxAbsDifference(new float[] {Float.NaN}, new float[] {Float.NaN}));
    }

    @Test
    void cpuMatchesTheIndependentReference() {
        Backend cpu = Backends.find("cpu").orElseThrow();
        Supplier<List<Backend>> both = () -> List.of(FakeBackend.of("ref", () -> List.of(FakeDevice.reference("ref:0"))),
                cpu);
        CliRunner.Result r = CliRunner.run(both, Map.of(), false, "demo", "--each-device", "--size", "24", "--runs", "1",
                "--warmup", "0");
        assertEquals(Main.OK, r.status(), r.all());
        Matcher m = Pattern.compile("\n  cpu:0  ([0-9.e+-]+)\n").matcher(r.out());
        assertTrue(m.find(), r.all());
        assertTrue(Double.parseDouble(m.group(1)) < 1e-5, "cpu differs from the float64 reference by " + m.group(1));
    }
}
