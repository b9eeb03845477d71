package dev.accel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ratios, the table and the JSON of a report. */
class CpuReportTest {
    @Test
    void speedRatioIsOursOverPeerForRatesAndPeerOverOursForLatencies() {
        assertEquals(2.0, BenchRecord.speedRatio(400, 200, "GFLOP/s"), 1e-12);
        assertEquals(4.0, BenchRecord.speedRatio(0.5, 2.0, "us"), 1e-12);
        assertTrue(Double.isNaN(BenchRecord.speedRatio(1, Double.NaN, "GB/s")));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, CpuSuite.median(List.of(5.0, 1.0, 3.0)), 0);
        assertEquals(2.5, CpuSuite.median(List.of(4.0, 1.0, 2.0, 3.0)), 0);
        assertTrue(Double.isNaN(CpuSuite.median(List.of())));
    }

    @Test
    void tableAndJsonCarryEveryRecord() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cpu", "Test \"CPU\"");
        CpuReport r = new CpuReport(List.of(
                new BenchRecord("peak.fp32-fma", "-", 500, Double.NaN, "GFLOP/s", Double.NaN, 1.0, "", true),
                new BenchRecord("gemm.f32.n512", "OpenBLAS sgemm", 400, 320, "GFLOP/s", 1.25, 0.8, ">= 1.0x OpenBLAS", true),
                new BenchRecord("dispatch.add1", "ONNX Runtime Add", 3.0, 1.5, "us", 0.5, Double.NaN, "<= 2 us", false)), facts);
        String table = r.table();
        assertTrue(table.contains("gemm.f32.n512") && table.contains("1.25x") && table.contains("80%"), table);
        assertTrue(table.contains("MISSED: <= 2 us") && table.contains("met: >= 1.0x OpenBLAS"), table);
        assertEquals(1, r.missedGoals().size());
        String json = r.json();
        assertTrue(json.contains("\"cpu\": \"Test \\\"CPU\\\"\""), json);
        assertTrue(json.contains("{\"name\": \"gemm.f32.n512\", \"ours\": 400.000, \"peer\": 320.000, \"unit\": \"GFLOP/s\", "
                + "\"ratio\": 1.25000, \"fractionOfPeak\": 0.800000"), json);
        assertTrue(json.contains("\"peer\": null") && json.contains("\"goalMet\": false"), json);
    }
}
