package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DeviceInfo;
import dev.accel.hal.DeviceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static ConformanceReport sample() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("vector", "FloatVector 256 bits, 8 lanes");
        details.put("quote\"back\\slash", "tab\tnew\nline");
        DeviceInfo info = new DeviceInfo("cpu:0", "Test CPU | 8 cores", DeviceKind.CPU, 1L << 34, true, details);
        List<CaseResult> cases = List.of(
                new CaseResult("Add/f32/n1", "Add", "f32", "1, 1 -> 1", Outcome.PASSED, 0, 1.5e-8, ""),
                new CaseResult("Add/f16/n1", "Add", "f16", "1, 1 -> 1", Outcome.FAILED, Double.POSITIVE_INFINITY, Double.NaN,
                        "1 of 1 elements outside rel <= 0.01; device NaN, reference \"2\""),
                new CaseResult("Conv/f32/depthwise", "Conv", "f32", "1x8x17x17, 8x1x3x3 -> 1x8x17x17", Outcome.UNSUPPORTED,
                        Double.NaN, Double.NaN, "no grouped convolution in this driver"),
                new CaseResult("Conv/f32/pointwise", "Conv", "f32", "2x16x7x7, 24x16x1x1 -> 2x24x7x7", Outcome.EXPECTED_FAILURE,
                        0.5, 0.1, "expected failure, issue #42: known"),
                new CaseResult("Conv/f32/s2", "Conv", "f32", "1x4x16x15 -> 1x5x8x8", Outcome.UNEXPECTED_PASS, 0, 0,
                        "listed as an expected failure but passed"),
                new CaseResult("Cast/f32->i8/n127", "Cast", "f32->i8", "127 -> 127", Outcome.PASSED, 0, 0, ""));
        return new ConformanceReport(info, Summary.of(cases), cases);
    }

    private static int count(String json, String key) {
        Matcher m = Pattern.compile("\"summary\"\\s*:\\s*\\{[^}]*\"" + key + "\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "no integer " + key + " in the summary");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void jsonSummaryCountsReadBackByRegex(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out/cpu:0.json");
        sample().writeJson(file);
        String json = Files.readString(file);
        assertEquals(2, count(json, "passed"));
        assertEquals(1, count(json, "failed"));
        assertEquals(1, count(json, "unsupported"));
        assertEquals(1, count(json, "expectedFailures"));
        assertEquals(1, count(json, "unexpectedPasses"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsValidAndCarriesEveryField() {
        ConformanceReport r = sample();
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(r.toJson());
        assertEquals(List.of("device", "summary", "cases"), List.copyOf(root.keySet()));
        Map<String, Object> device = (Map<String, Object>) root.get("device");
        assertEquals("cpu:0", device.get("id"));
        assertEquals("Test CPU | 8 cores", device.get("name"));
        assertEquals("CPU", device.get("kind"));
        assertEquals((double) (1L << 34), device.get("memoryBytes"));
        assertEquals(Boolean.TRUE, device.get("sharesHostMemory"));
        assertEquals("tab\tnew\nline", ((Map<String, Object>) device.get("details")).get("quote\"back\\slash"));
        Map<String, Object> summary = (Map<String, Object>) root.get("summary");
        assertEquals(6.0, summary.get("total"));
        assertEquals(Boolean.FALSE, summary.get("ok"));
        List<Object> cases = (List<Object>) root.get("cases");
        assertEquals(6, cases.size());
        Map<String, Object> first = (Map<String, Object>) cases.get(0);
        assertEquals(List.of("id", "op", "dtype", "shape", "outcome", "maxAbsError", "maxRelError", "detail"),
                List.copyOf(first.keySet()));
        assertEquals("PASSED", first.get("outcome"));
        assertEquals(1.5e-8, first.get("maxRelError"));
        Map<String, Object> failed = (Map<String, Object>) cases.get(1);
        assertNull(failed.get("maxAbsError"), "infinity is written as null");
        assertNull(failed.get("maxRelError"), "NaN is written as null");
        assertTrue(failed.containsKey("maxRelError"));
        assertEquals("1 of 1 elements outside rel <= 0.01; device NaN, reference \"2\"", failed.get("detail"));
        assertEquals("f32->i8", ((Map<String, Object>) cases.get(5)).get("dtype"));
    }

    @Test
    void jsonOfAnEmptyReportIsValid() {
        ConformanceReport r = new ConformanceReport(sample().device(), Summary.of(List.of()), List.of());
        Object root = MiniJson.parse(r.toJson());
        assertEquals(List.of(), ((Map<?, ?>) root).get("cases"));
    }

    @Test
    void markdownHasASummaryLineAndARowPerOpAndDtype(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cpu:0.md");
        sample().writeMarkdown(file);
        String md = Files.readString(file);
        List<String> lines = md.lines().toList();
        assertEquals("# Conformance of cpu:0", lines.getFirst());
        assertTrue(md.contains("**NOT OK**: 6 cases: 2 passed, 1 failed, 1 unsupported, 1 expected failures, "
                + "1 unexpected passes"), md);
        assertTrue(md.contains("Test CPU \\| 8 cores"), "pipes in cells are escaped");
        assertTrue(lines.contains("| Add | f32 | 1 | 1 |  |  |  |  |  |"), md);
        assertTrue(lines.contains("| Add | f16 | 1 | 0 | 1 |  |  |  |  |"), md);
        assertTrue(lines.contains("| Conv | f32 | 3 | 0 |  | 1 | 1 | 1 | unsupported: no grouped convolution in this driver |"),
                md);
        assertTrue(lines.contains("| Cast | f32->i8 | 1 | 1 |  |  |  |  |  |"), md);
        assertTrue(md.contains("## Cases not passing"));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("| Add/f16/n1 | FAILED | 1, 1 -> 1 | inf |  |")), md);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("| Conv/f32/s2 | UNEXPECTED_PASS |")), md);
        long tableRows = lines.stream().filter(l -> l.startsWith("| ") && !l.startsWith("| op ") && !l.startsWith("| case ")
                && !l.startsWith("| ---") && !l.contains("/")).count();
        assertEquals(4, tableRows, "one row per op and dtype");
    }

    @Test
    void anOkReportSaysOkAndListsNoFailures() {
        List<CaseResult> cases = List.of(new CaseResult("Relu/f32/n1", "Relu", "f32", "1 -> 1", Outcome.PASSED, 0, 0, ""));
        ConformanceReport r = new ConformanceReport(sample().device(), Summary.of(cases), cases);
        String md = r.toMarkdown();
        assertTrue(md.contains("**OK**: 1 cases: 1 passed"), md);
        assertTrue(!md.contains("Cases not passing"), md);
    }
}
