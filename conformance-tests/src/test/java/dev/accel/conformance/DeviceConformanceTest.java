package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.accel.hal.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Certifies every available backend on the class path: the whole suite per device, one dynamic
 * container per device, one per op, one test per case. PASSED and UNSUPPORTED (declared, and
 * refused at prepare) pass; EXPECTED_FAILURE is skipped with its issue; FAILED and
 * UNEXPECTED_PASS fail. The last test of each device writes its JSON and Markdown report to the
 * folder the system property {@code accel.conformance.reportDir} names (the build sets it).
 */
class DeviceConformanceTest {
    private static TestDevices devices;
    private static final List<CaseRunner> runners = new ArrayList<>();

    @BeforeAll
    static void open() {
        devices = TestDevices.open();
    }

    @AfterAll
    static void close() {
        runners.forEach(CaseRunner::close);
        devices.close();
    }

    @Test
    void requiredBackendsAreAvailable() {
        assertTrue(devices.problems.isEmpty(), String.join("\n", devices.problems));
    }

    @Test
    void atLeastOneDeviceIsCertified() {
        assertTrue(!devices.devices.isEmpty(), "no backend on the class path could open a device; skipped: "
                + devices.skipped);
    }

    @TestFactory
    Stream<DynamicNode> conformance() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (TestDevices.Skipped s : devices.skipped) {
            nodes.add(dynamicTest(s.backendId() + " (unavailable)", () -> Assumptions.abort(s.message()))); // reason: the probe's
        }
        for (TestDevices.Opened o : devices.devices) {
            nodes.add(forDevice(o.device()));
        }
        return nodes.stream();
    }

    private static DynamicNode forDevice(Device device) {
        CaseRunner runner = new CaseRunner(device, ExpectedFailures.forDevice(device));
        runners.add(runner);
        List<CaseResult> results = Collections.synchronizedList(new ArrayList<>());
        Map<String, List<ConformanceCase>> byOp = new LinkedHashMap<>();
        for (ConformanceCase c : ConformanceSuite.cases()) {
            byOp.computeIfAbsent(c.op(), k -> new ArrayList<>()).add(c);
        }
        List<DynamicNode> ops = new ArrayList<>();
        byOp.forEach((op, cases) -> ops.add(dynamicContainer(op, cases.stream().map(c -> dynamicTest(c.id(), () -> {
            CaseResult r = runner.run(c);
            results.add(r);
            switch (r.outcome()) {
                case PASSED, UNSUPPORTED -> { }
                case EXPECTED_FAILURE -> Assumptions.abort(r.detail()); // reason and issue from the backend's list
                case FAILED, UNEXPECTED_PASS -> fail(r.outcome() + " " + r.id() + " (" + r.shape() + "): " + r.detail());
            }
        })))));
        ops.add(dynamicTest("report", () -> {
            ConformanceReport report = new ConformanceReport(device.info(), Summary.of(results), results);
            String dir = System.getProperty("accel.conformance.reportDir");
            if (dir != null) {
                report.writeJson(Path.of(dir, device.info().id() + ".json"));
                report.writeMarkdown(Path.of(dir, device.info().id() + ".md"));
            }
            System.getLogger(DeviceConformanceTest.class.getName()).log(System.Logger.Level.INFO, "{0}: {1}",
                    device.info().id(), report.summary());
            assertEquals(ConformanceSuite.cases().size(), results.size(), "every case ran before the report");
        }));
        return dynamicContainer(device.info().id() + " (" + device.info().name() + ")", ops);
    }
}
