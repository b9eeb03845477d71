package dev.accel.benchmarks;

/**
 * One row of the CPU suite's result: a case measured for accel and for its peer in the same run.
 *
 * @param name the case, for example {@code gemm.f32.n1024}
 * @param peerName what {@code peer} measured ({@code OpenBLAS sgemm}, {@code ONNX Runtime Conv},
 *     {@code accel FP32}, ...), or {@code -} for a row without a peer (the peak probes)
 * @param ours accel's result in {@code unit}
 * @param peer the peer's result in {@code unit}, or NaN without a peer
 * @param unit the unit of both: a rate (GFLOP/s, GOP/s, GB/s) or a latency (us)
 * @param ratio ours / peer as a speed ratio (above 1: accel is faster), or NaN without a peer
 * @param fractionOfPeak ours as a fraction of the measured physical limit (FMA rate or memory
 *     bandwidth), or NaN where none applies
 * @param goal the goal for this row in words, or empty
 * @param goalMet whether the goal is met in this run (true when there is no goal)
 */
public record BenchRecord(String name, String peerName, double ours, double peer, String unit, double ratio,
                          double fractionOfPeak, String goal, boolean goalMet) {

    /** True for units where a smaller number is better (latencies). */
    static boolean isLatency(String unit) {
        return unit.equals("us") || unit.equals("ns") || unit.equals("ms");
    }

    /** The speed ratio of two results in {@code unit}: above 1 when {@code ours} is faster. */
    static double speedRatio(double ours, double peer, String unit) {
        if (Double.isNaN(ours) || Double.isNaN(peer)) {
            return Double.NaN;
        }
        return isLatency(unit) ? peer / ours : ours / peer;
    }
}
