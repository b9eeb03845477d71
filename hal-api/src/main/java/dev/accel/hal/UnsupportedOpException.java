package dev.accel.hal;

/**
 * A device was asked to prepare or run an op spec its {@link Capabilities} report as unsupported; the message gives the op, the types and the device's reason.
 */
public class UnsupportedOpException extends AccelException {
    public UnsupportedOpException(String message) {
        super(message);
    }

    public UnsupportedOpException(String message, Throwable cause) {
        super(message, cause);
    }
}
