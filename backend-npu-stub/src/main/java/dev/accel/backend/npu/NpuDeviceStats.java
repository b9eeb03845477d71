package dev.accel.backend.npu;

/**
 * Counters of one NPU device as the library keeps them.
 *
 * @param executions executions attempted (failed ones included; work skipped after a failure is not)
 * @param failedExecutions executions that failed, injected faults included
 * @param simulatedNanos the timing model's total time of the successful executions
 * @param allocatedBytes device memory in use, compiled graphs' internal memory included
 * @param liveBuffers device buffers not yet freed
 */
public record NpuDeviceStats(long executions, long failedExecutions, long simulatedNanos, long allocatedBytes,
                             long liveBuffers) {
}
