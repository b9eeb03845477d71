package dev.accel.hal;

/**
 * Base of every error accel throws. Unchecked; each message says what failed, the actual and the
 * required values, and, for native failures, the native error code translated to its name.
 */
public class AccelException extends RuntimeException {
    public AccelException(String message) {
        super(message);
    }

    public AccelException(String message, Throwable cause) {
        super(message, cause);
    }
}
