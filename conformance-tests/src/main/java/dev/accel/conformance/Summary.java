package dev.accel.conformance;

import java.util.List;

/** Counts of outcomes in one report. */
public record Summary(int passed, int failed, int unsupported, int expectedFailures, int unexpectedPasses) {
    /** Counts the outcomes of {@code results}. */
    public static Summary of(List<CaseResult> results) {
        int[] n = new int[Outcome.values().length];
        for (CaseResult r : results) {
            n[r.outcome().ordinal()]++;
        }
        return new Summary(n[Outcome.PASSED.ordinal()], n[Outcome.FAILED.ordinal()], n[Outcome.UNSUPPORTED.ordinal()],
                n[Outcome.EXPECTED_FAILURE.ordinal()], n[Outcome.UNEXPECTED_PASS.ordinal()]);
    }

    /** Total cases. */
    public int total() {
        return passed + failed + unsupported + expectedFailures + unexpectedPasses;
    }

    /** True when nothing failed and no expected failure unexpectedly passed. */
    public boolean ok() {
        return failed == 0 && unexpectedPasses == 0;
    }

    /** "1203 cases: 1190 passed, 3 failed, 10 unsupported, 0 expected failures, 0 unexpected passes". */
    @Override
    public String toString() {
        return total() + " cases: " + passed + " passed, " + failed + " failed, " + unsupported + " unsupported, "
                + expectedFailures + " expected failures, " + unexpectedPasses + " unexpected passes";
    }
}
