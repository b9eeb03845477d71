package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A float convolution computed image by image from weights packed into its own order
 * ({@link DirectConv}, {@link PlanarConv}), and the {@code auto | on | off} system property each
 * such form is switched by.
 */
interface DirectForm {
    /** The weights ({@code m x c/groups x kh x kw} floats at {@code w}) in this form's order. */
    float[] pack(MemorySegment w);

    /**
     * Image {@code ni} of X (NCHW at {@code x}) convolved with {@code weights} ({@link #pack}) into Y
     * (NCHW at {@code y}), {@code bias} (or null) added.
     */
    void run(MemorySegment x, int ni, float[] weights, float[] bias, MemorySegment y);

    /**
     * Whether a form runs: never unless it {@code applies}; else as {@code property} says, read now:
     * {@code on}, {@code off}, or {@code auto} (the default), the form's {@code rule}.
     *
     * @throws IllegalArgumentException when the property holds another value
     */
    static boolean chosen(String property, boolean applies, BooleanSupplier rule) {
        if (!applies) {
            return false;
        }
        String v = System.getProperty(property, "auto");
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> rule.getAsBoolean();
            default -> throw new IllegalArgumentException("system property " + property + " is '" + v + "'; requires auto, on or off");
        };
    }
}
