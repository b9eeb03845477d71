package dev.accel.hal;

/**
 * A device stopped working (driver reset, device removed, injected fault); work queued on it is lost and the device must be closed.
 */
public class DeviceLostException extends AccelException {
    public DeviceLostException(String message) {
        super(message);
    }

    public DeviceLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
