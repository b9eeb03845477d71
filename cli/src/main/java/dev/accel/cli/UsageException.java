package dev.accel.cli;

/**
 * A command line that cannot be run as written: an unknown command or option, a missing or
 * malformed value. The message names the bad argument; {@link Main} prints it with a pointer to
 * {@code --help} and exits with status 2.
 */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
