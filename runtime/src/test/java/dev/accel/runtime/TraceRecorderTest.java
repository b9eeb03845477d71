package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.Fence;
import dev.accel.partitioner.Step;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** A trace takes a device's own stamps where its fences have them, and infers the span where not. */
class TraceRecorderTest {
    /**
     * A done fence with the given stamps (0: none), that says whether it stamps its completion itself
     * and notes which threads awaited it.
     */
    private record Stamped(long started, long ended, boolean stamps, Set<Thread> awaitedBy) implements Fence {
        /** A fence that does not claim to stamp its completion. */
        Stamped(long started, long ended) {
            this(started, ended, false, ConcurrentHashMap.newKeySet());
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public void await() {
            awaitedBy.add(Thread.currentThread());
        }

        @Override
        public boolean await(Duration timeout) {
            awaitedBy.add(Thread.currentThread());
            return true;
        }

        @Override
        public OptionalLong startedAt() {
            return started == 0 ? OptionalLong.empty() : OptionalLong.of(started);
        }

        @Override
        public OptionalLong completedAt() {
            return ended == 0 ? OptionalLong.empty() : OptionalLong.of(ended);
        }

        @Override
        public boolean stampsCompletion() {
            return stamps;
        }
    }

    @Test
    void deviceStampsAreTheSpansAndUnstampedStepsStartAfterTheirPredecessor() {
        long origin = System.nanoTime() - 10_000_000;
        List<Step> steps = List.of(new Step(Step.Kind.KERNEL, "cpu:0", "a", null, false, 0, 0),
                new Step(Step.Kind.KERNEL, "cpu:0", "b", null, false, 0, 0),
                new Step(Step.Kind.KERNEL, "cpu:0", "c", null, false, 0, 0));
        TraceRecorder r = new TraceRecorder(origin, steps);
        // a ran from 1 ms to 2 ms, b from 2.5 ms to 4 ms (both stamped); c has a completion stamp only (7 ms).
        r.submitted(0, "cpu:0/compute", new Stamped(origin + 1_000_000, origin + 2_000_000), List.of());
        r.submitted(1, "cpu:0/compute", new Stamped(origin + 2_500_000, origin + 4_000_000), List.of());
        r.submitted(2, "cpu:0/compute", new Stamped(0, origin + 7_000_000), List.of());
        r.finish();
        List<StepTiming> t = r.timings();
        assertEquals(3, t.size());
        assertEquals(1e-3, t.get(0).start(), 1e-9);
        assertEquals(2e-3, t.get(0).end(), 1e-9);
        assertEquals(2.5e-3, t.get(1).start(), 1e-9);
        assertEquals(1.5e-3, t.get(1).seconds(), 1e-9);
        // c: no start stamp, so it starts at the later of its submission and b's end; it was submitted after both.
        assertEquals(7e-3, t.get(2).end(), 1e-9);
        assertEquals(true, t.get(2).start() >= 4e-3 && t.get(2).start() <= 7e-3, "c starts at " + t.get(2).start());
    }

    @Test
    void fencesThatStampTheirCompletionAreReadAtTheEndNotWatchedDuringTheRun() {
        long origin = System.nanoTime() - 10_000_000;
        List<Step> steps = List.of(new Step(Step.Kind.KERNEL, "cpu:0", "a", null, false, 0, 0),
                new Step(Step.Kind.KERNEL, "gpu:0", "b", null, false, 0, 0));
        TraceRecorder r = new TraceRecorder(origin, steps);
        Stamped stamped = new Stamped(0, origin + 3_000_000, true, ConcurrentHashMap.newKeySet());
        Stamped unstamped = new Stamped(0, 0);
        r.submitted(0, "cpu:0/compute", stamped, List.of());
        r.submitted(1, "gpu:0/compute", unstamped, List.of());
        r.finish();
        assertEquals(Set.of(Thread.currentThread()), stamped.awaitedBy(), "only the finishing thread awaits a stamping fence");
        assertEquals(1, unstamped.awaitedBy().size());
        assertEquals(true, unstamped.awaitedBy().iterator().next().isVirtual(), "a watcher awaits a fence without stamps");
        assertEquals(3e-3, r.timings().get(0).end(), 1e-9);
    }
}
