package dev.accel.runtime;

import dev.accel.hal.AccelException;

/**
 * Thrown inside the runtime when work on one device failed (a kernel, a transfer, an allocation, a
 * lost device), naming the device so the session can re-place its work. Never escapes a
 * {@link Session}: callers see the cause, or a fallback.
 */
final class DeviceFailure extends RuntimeException {
    private final String device;

    DeviceFailure(String device, String what, AccelException cause) {
        super(device + " failed " + what + ": " + cause.getMessage(), cause);
        this.device = device;
    }

    String device() {
        return device;
    }

    AccelException accelCause() {
        return (AccelException) getCause();
    }
}
