package dev.accel.conformance;

import dev.accel.hal.AccelException;

/**
 * Work of a case did not complete within the suite's time limit. The queue it ran on still holds
 * that work, so it cannot be closed (close waits) or reused; the runner abandons it.
 */
public final class QueueStuckException extends AccelException {
    private final transient CaseResult result;

    public QueueStuckException(CaseResult result) {
        super(result.id() + ": " + result.detail());
        this.result = result;
    }

    /** The FAILED result to record for the case. */
    public CaseResult result() {
        return result;
    }
}
