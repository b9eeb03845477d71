package dev.accel.onnx;

/**
 * The outcome of one ONNX backend-test folder on one device.
 *
 * @param test the folder's id, {@code group/test_name}
 * @param device the device id
 * @param outcome what happened
 * @param reason why it is not applicable, why it failed, or the listed reason of an expected
 *     failure; empty when passed
 * @param maxAbsError largest absolute difference over all outputs of all data sets (NaN when
 *     nothing was compared)
 * @param maxRelError largest difference relative to the expected magnitude (NaN likewise)
 * @param unexpectedPass true when the test passed although it is listed as an expected failure
 * @param millis wall time of the folder, import included
 */
public record OnnxTestResult(String test, String device, Outcome outcome, String reason, double maxAbsError,
                             double maxRelError, boolean unexpectedPass, long millis) {
    /** How a test folder ended. */
    public enum Outcome {
        PASSED("passed"), FAILED("failed"), NOT_APPLICABLE("notApplicable"), EXPECTED_FAILURE("expectedFailure");

        private final String json;

        Outcome(String json) {
            this.json = json;
        }

        /** The name used in the JSON report. */
        public String json() {
            return json;
        }
    }

    @Override
    public String toString() {
        String err = Double.isNaN(maxAbsError) ? "" : String.format(java.util.Locale.ROOT, " (max abs %.3g, rel %.3g)", maxAbsError, maxRelError);
        return test + " on " + device + ": " + outcome.json() + (unexpectedPass ? " (unexpected pass)" : "") + err
                + (reason.isEmpty() ? "" : ": " + reason);
    }
}
