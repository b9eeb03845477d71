package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.Device;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shared ONNX corpus on every available device (the backends on this module's test class
 * path), with the expected-failure list kept in this module's test resources
 * ({@code expected-failures.tsv}, each entry with its reason). A failure outside the list, or a
 * listed folder that passes, fails the test. Writes one report per device to
 * {@code target/onnx-corpus-<device>.json}.
 */
class CorpusOnEveryDeviceTest {
    private static final System.Logger LOG = System.getLogger(CorpusOnEveryDeviceTest.class.getName());

    static Map<String, String> expectedFailures() throws IOException {
        try (InputStream in = CorpusOnEveryDeviceTest.class.getResourceAsStream("expected-failures.tsv")) {
            if (in == null) {
                throw new IOException("expected-failures.tsv is missing from the test resources");
            }
            return OnnxTestRunner.parseExpectedFailures(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void corpusOnEveryDevice() throws IOException {
        Path root = Corpus.require();
        Map<String, String> expected = expectedFailures();
        List<String> index = Files.readAllLines(root.resolve("INDEX.txt")).stream().filter(s -> !s.isBlank()).map(String::trim).toList();
        for (String id : expected.keySet()) {
            assertTrue(index.contains(id), "expected-failures.tsv lists '" + id + "', which is not in the corpus");
        }
        List<Device> devices = new ArrayList<>();
        for (Backend b : Backends.discover()) {
            if (b.probe().available()) {
                devices.addAll(b.open());
            } else {
                LOG.log(System.Logger.Level.INFO, () -> "corpus: skipping backend " + b.id() + ": " + b.probe());
            }
        }
        assertTrue(devices.stream().anyMatch(d -> d.info().id().equals("cpu:0")), "the CPU device must always be there");
        List<String> problems = new ArrayList<>();
        try {
            Files.createDirectories(Path.of("target"));
            for (Device d : devices) {
                OnnxTestReport r = OnnxTestRunner.run(Corpus.groups(root), List.of(d), expected);
                r.writeJson(Path.of("target/onnx-corpus-" + d.info().id().replace(':', '_') + ".json"));
                assertEquals(index.size(), r.results().size(), "one result per folder on " + d.info().id());
                LOG.log(System.Logger.Level.INFO, () -> "corpus on " + d.info().id() + ": " + r.summaryLine());
                r.withOutcome(OnnxTestResult.Outcome.FAILED).forEach(t -> problems.add(t.toString()));
                r.results().stream().filter(OnnxTestResult::unexpectedPass).forEach(t -> problems.add("unexpected pass: " + t));
                for (OnnxTestResult t : r.withOutcome(OnnxTestResult.Outcome.NOT_APPLICABLE)) {
                    assertTrue(!t.reason().isBlank(), t.toString());
                }
            }
        } finally {
            devices.forEach(Device::close);
        }
        assertEquals(List.of(), problems, "failures outside expected-failures.tsv, or stale entries in it");
    }
}
