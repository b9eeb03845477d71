package dev.accel.hal;

/**
 * A device allocation failed for lack of memory; the message gives the requested and, where known, the available bytes.
 */
public class OutOfDeviceMemoryException extends AccelException {
    public OutOfDeviceMemoryException(String message) {
        super(message);
    }

    public OutOfDeviceMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
