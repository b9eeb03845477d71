package dev.accel.hal;

/**
 * A model file is malformed, truncated, hostile or uses a construct accel does not read; the message names the file position or element at fault.
 */
public class ModelFormatException extends AccelException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
