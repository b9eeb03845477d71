package dev.accel.conformance;

/** What one conformance case came to. */
public enum Outcome {
    /** Ran and matched the float64 reference within the dtype's tolerance. */
    PASSED,
    /** Ran and did not match, or threw where it should have run. */
    FAILED,
    /** The device declares the spec UNSUPPORTED (permanent, with a reason). */
    UNSUPPORTED,
    /** Failed, and the backend lists the case as an expected failure naming the issue that fixes it. */
    EXPECTED_FAILURE,
    /** Listed as an expected failure but passed: the list is stale and the report says so. */
    UNEXPECTED_PASS
}
