package dev.accel.conformance;

import dev.accel.hal.Device;
import dev.accel.hal.Queue;

/**
 * Runs cases one at a time on one device, applying the backend's expected failures. It owns one
 * queue of the device and replaces it after any case that did not pass, because a backend may
 * refuse further work on a queue whose work failed; a queue whose work never finished is abandoned
 * rather than closed (closing would wait for it).
 *
 * <p>Not thread-safe. The caller owns the device and closes the runner before the device.
 */
public final class CaseRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CaseRunner.class.getName());

    private final Device device;
    private final ExpectedFailures expected;
    private Queue queue;

    public CaseRunner(Device device, ExpectedFailures expected) {
        this.device = device;
        this.expected = expected;
        this.queue = device.newQueue();
    }

    /** Runs one case and returns its final outcome. Never throws for a failure of the device. */
    public CaseResult run(ConformanceCase c) {
        CaseResult raw;
        boolean stuck = false;
        try {
            raw = c.run(device, queue);
        } catch (QueueStuckException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: abandoning a queue of {1}: {2}", c.id(), device.info().id(),
                    e.getMessage());
            raw = e.result();
            stuck = true;
            queue = device.newQueue();
        } catch (RuntimeException e) {
            raw = new CaseResult(c.id(), c.op(), c.dtype(), c.shape(), Outcome.FAILED, Double.NaN, Double.NaN,
                    OpCase.describe(e));
        }
        if (raw.outcome() == Outcome.FAILED && !stuck) {
            Queue old = queue;
            queue = device.newQueue();
            old.close();
        }
        return expected.apply(raw);
    }

    @Override
    public void close() {
        queue.close();
    }
}
