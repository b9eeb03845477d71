package dev.accel.conformance;

/**
 * How closely a device's output must match the float64 reference, per element.
 *
 * <ul>
 *   <li>{@link Kind#EXACT}: equal values (NaN matches NaN): layout ops, Cast, integer accumulation.</li>
 *   <li>{@link Kind#ABSOLUTE}: {@code |device - reference| <= bound}: integers after requantization,
 *       where float rounding of the scale may move a value across a rounding boundary.</li>
 *   <li>{@link Kind#RELATIVE}: {@code |device - reference| / max(|reference|, scale) <= bound}, where
 *       {@code scale} is the root mean square of the reference output, so that values near zero
 *       are judged against the size of the output rather than against themselves.</li>
 * </ul>
 * In every kind, non-finite reference values (NaN, infinities) must be matched exactly.
 *
 * @param kind how the bound applies
 * @param bound the largest allowed error
 */
public record Tolerance(Kind kind, double bound) {
    /** How the bound applies. */
    public enum Kind { EXACT, ABSOLUTE, RELATIVE }

    @Override
    public String toString() {
        return switch (kind) {
            case EXACT -> "exact";
            case ABSOLUTE -> "abs <= " + bound;
            case RELATIVE -> "rel <= " + bound;
        };
    }
}
