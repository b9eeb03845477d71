package dev.accel.conformance;

/** Counts of outcomes in one report. */
public record Summary(int passed, int failed, int unsupported, int expectedFailures, int unexpectedPasses) {
    /** Total cases. */
    public int total() {
        return passed + failed + unsupported + expectedFailures + unexpectedPasses;
    }

    /** True when nothing failed and no expected failure unexpectedly passed. */
    public boolean ok() {
        return failed == 0 && unexpectedPasses == 0;
    }
}
