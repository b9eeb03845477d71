package dev.accel.backend.npu;

import dev.accel.hal.AccelException;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.UnsupportedOpException;
import java.util.List;

/**
 * The status codes of libaccelnpu (accelnpu.h), their names, and the typed exception each becomes.
 * The names are kept here as well as in the library so that a message can name a code even when
 * the library is not loaded; a test checks that both agree.
 */
final class NpuStatus {
    static final int SUCCESS = 0;
    static final int INVALID_ARGUMENT = 1;
    static final int INVALID_HANDLE = 2;
    static final int OUT_OF_MEMORY = 3;
    static final int HOST_OUT_OF_MEMORY = 4;
    static final int DEVICE_LOST = 5;
    static final int UNSUPPORTED = 6;
    static final int NOT_COMPILED = 7;
    static final int ALREADY_COMPILED = 8;
    static final int EXECUTION_FAILED = 9;
    static final int DEPENDENCY_FAILED = 10;
    static final int INTERNAL = 11;

    static final List<String> NAMES = List.of("NPU_SUCCESS", "NPU_ERROR_INVALID_ARGUMENT", "NPU_ERROR_INVALID_HANDLE",
            "NPU_ERROR_OUT_OF_MEMORY", "NPU_ERROR_HOST_OUT_OF_MEMORY", "NPU_ERROR_DEVICE_LOST", "NPU_ERROR_UNSUPPORTED",
            "NPU_ERROR_NOT_COMPILED", "NPU_ERROR_ALREADY_COMPILED", "NPU_ERROR_EXECUTION_FAILED",
            "NPU_ERROR_DEPENDENCY_FAILED", "NPU_ERROR_INTERNAL");

    private NpuStatus() {
    }

    /** "NPU_ERROR_DEVICE_LOST" for 5; "NPU_STATUS_UNKNOWN(42)" for codes the binding does not know. */
    static String name(int status) {
        return status >= 0 && status < NAMES.size() ? NAMES.get(status) : "NPU_STATUS_UNKNOWN(" + status + ")";
    }

    /**
     * The exception for a failed call: {@code context} says what was attempted on which device,
     * {@code detail} is the library's message (may be empty).
     */
    static AccelException exception(int status, String context, String detail) {
        String message = context + " failed with " + name(status) + " (code " + status + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        return switch (status) {
            case INVALID_ARGUMENT, INVALID_HANDLE -> new InvalidArgumentException(message);
            case OUT_OF_MEMORY -> new OutOfDeviceMemoryException(message);
            case DEVICE_LOST -> new DeviceLostException(message);
            case UNSUPPORTED -> new UnsupportedOpException(message);
            default -> new AccelException(message);
        };
    }
}
