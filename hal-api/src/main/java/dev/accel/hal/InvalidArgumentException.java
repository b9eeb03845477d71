package dev.accel.hal;

/**
 * An argument is wrong: a shape, dtype, axis, buffer or handle that does not fit the operation. The message names the argument, its actual value and what was required.
 */
public class InvalidArgumentException extends AccelException {
    public InvalidArgumentException(String message) {
        super(message);
    }

    public InvalidArgumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
