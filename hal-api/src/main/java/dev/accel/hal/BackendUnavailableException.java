package dev.accel.hal;

/**
 * A backend or device cannot be used on this machine: its native library or driver is missing or failed to start. The message names what is missing and how to install it.
 */
public class BackendUnavailableException extends AccelException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
