package dev.accel.conformance;

import dev.accel.hal.Device;
import dev.accel.hal.Fence;
import dev.accel.hal.Queue;

/**
 * A buffer, transfer or queue case: a check that throws {@link Failure} (or any exception) when the
 * device breaks the contract of {@link dev.accel.hal.DeviceBuffer}, {@link Queue} or {@link Fence},
 * or {@link NotApplicable} when the device offers no such feature (an optional one, as
 * {@link dev.accel.hal.DeviceBuffer#hostSegment()}): the case is then UNSUPPORTED with that reason,
 * as an op the device cannot run is.
 */
record TransferCase(String id, String op, String dtype, String shape, Check check) implements ConformanceCase {
    /** The body of a transfer case. */
    @FunctionalInterface
    interface Check {
        void run(Device device, Queue queue, Resources res);
    }

    /** A broken contract, with what was seen and what was required. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /** The device does not offer what the case checks, for the reason given; not a failure. */
    static final class NotApplicable extends RuntimeException {
        NotApplicable(String reason) {
            super(reason, null, false, false);
        }
    }

    @Override
    public CaseResult run(Device device, Queue queue) {
        CaseResult r;
        try (Resources res = new Resources()) {
            try {
                check.run(device, queue, res);
                r = new CaseResult(id, op, dtype, shape, Outcome.PASSED, 0, 0, "");
            } catch (NotApplicable e) {
                r = new CaseResult(id, op, dtype, shape, Outcome.UNSUPPORTED, Double.NaN, Double.NaN, e.getMessage());
            } catch (Timeout e) {
                res.abandon();
                throw new QueueStuckException(failed(e.getMessage()));
            } catch (Failure e) {
                r = failed(e.getMessage());
            } catch (RuntimeException e) {
                r = failed(OpCase.describe(e));
            }
            try {
                if (!queue.marker().await(OpCase.TIMEOUT)) {
                    res.abandon();
                    throw new QueueStuckException(failed("queued work did not finish within " + OpCase.TIMEOUT.toSeconds() + " s"));
                }
            } catch (QueueStuckException e) {
                throw e;
            } catch (RuntimeException e) {
                // A failure of the queued work; the result already says what went wrong.
            }
        }
        return r;
    }

    CaseResult failed(String detail) {
        return new CaseResult(id, op, dtype, shape, Outcome.FAILED, Double.NaN, Double.NaN, detail);
    }

    /** Work that did not finish within the suite's time limit. */
    static final class Timeout extends RuntimeException {
        Timeout(String message) {
            super(message);
        }
    }

    /** Waits for {@code f}, or gives up on the queue after the suite's time limit. */
    static void await(Fence f, String what) {
        if (!f.await(OpCase.TIMEOUT)) {
            throw new Timeout(what + " did not finish within " + OpCase.TIMEOUT.toSeconds() + " s");
        }
    }

    /** Throws {@link Failure} with {@code message} unless {@code condition}. */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw new Failure(message);
        }
    }
}
