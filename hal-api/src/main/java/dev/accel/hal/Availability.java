package dev.accel.hal;

/**
 * The result of {@link Backend#probe()}: available (with a one-line detail, such as the library
 * found), or unavailable with the reason and the fix.
 */
public record Availability(boolean available, String detail, String fix) {
    public static Availability available(String detail) {
        return new Availability(true, detail, "");
    }

    public static Availability unavailable(String reason, String fix) {
        return new Availability(false, reason, fix);
    }

    @Override
    public String toString() {
        return available ? "available (" + detail + ")" : "unavailable: " + detail + (fix.isEmpty() ? "" : "; fix: " + fix);
    }
}
