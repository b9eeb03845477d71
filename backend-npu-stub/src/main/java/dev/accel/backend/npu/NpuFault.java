package dev.accel.backend.npu;

/**
 * Faults the simulated NPU can be told to produce, for reliability tests here and in the runtime.
 * Armed with {@link NpuDevice#injectFault}, or for every device opened by a process with the
 * environment variable {@code ACCELNPU_FAULTS} (for example
 * {@code ACCELNPU_FAULTS=fail_execution=3,device_lost=5,out_of_memory=2}), counted from the open.
 */
public enum NpuFault {
    /** The nth execution from now fails with NPU_ERROR_EXECUTION_FAILED (n >= 1); the device stays usable. */
    FAIL_EXECUTION(1, 1),
    /** The device is lost at the nth execution from now (n >= 1), or at once (n = 0): everything but closing fails. */
    DEVICE_LOST(2, 0),
    /** The nth device allocation from now fails with NPU_ERROR_OUT_OF_MEMORY (n >= 1). */
    OUT_OF_MEMORY(3, 1);

    private final int code;
    private final long minimum;

    NpuFault(int code, long minimum) {
        this.code = code;
        this.minimum = minimum;
    }

    /** The library's NPU_FAULT_* code. */
    int code() {
        return code;
    }

    /** The smallest n this fault takes. */
    public long minimum() {
        return minimum;
    }
}
