package dev.accel.runtime;

import dev.accel.hal.Fence;
import dev.accel.partitioner.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Collects the timing of one run: for each submitted step, its queue, fence, submission time and
 * the steps it waits for. Fences that stamp their own completion ({@link Fence#stampsCompletion()})
 * are read at {@link #finish()}; for the others a virtual thread per queue awaits that queue's
 * fences in order and stamps each completion. (A watcher awaiting the CPU's fences took CPU time
 * from the kernels: a traced ResNet-50 run took about a third longer than an untraced one.) Where
 * the device stamped its fence ({@link Fence#startedAt()}, {@link Fence#completedAt()}: the CPU
 * does), those times are the span: a watcher that wakes late
 * (two compute threads busy on two cores) would otherwise stretch one span and shrink the next.
 * Otherwise start times follow from in-order queues: the later of the submission, the previous
 * completion on the same queue and the completions waited for. Not thread-safe: one run's
 * submitting thread uses it.
 */
final class TraceRecorder {
    private static final Integer STOP = -1;

    private final long origin;
    private final List<Step> steps;
    private final Map<Integer, Long> submitted = new HashMap<>();
    private final Map<Integer, Fence> fences = new HashMap<>();
    private final Map<Integer, String> queueOf = new HashMap<>();
    private final Map<Integer, List<Integer>> deps = new HashMap<>();
    private final Map<Integer, Map<String, String>> notes = new HashMap<>();
    private final Map<Integer, Long> done = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, LinkedBlockingQueue<Integer>> feeds = new HashMap<>();
    private final List<Thread> watchers = new ArrayList<>();
    private final List<Trace.Span> spans = new ArrayList<>();
    private final List<StepTiming> timings = new ArrayList<>();
    private boolean finished;

    /** @param origin System.nanoTime() of the run's start, shared by all attempts of a run */
    TraceRecorder(long origin, List<Step> steps) {
        this.origin = origin;
        this.steps = steps;
    }

    /** Records a submitted step; {@code waitedFor} are the step indices whose fences its queue waits on. */
    void submitted(int step, String queue, Fence fence, List<Integer> waitedFor) {
        submitted.put(step, System.nanoTime());
        fences.put(step, fence);
        queueOf.put(step, queue);
        deps.put(step, List.copyOf(waitedFor));
        if (fence.stampsCompletion()) {
            // Read at finish(): a watcher would take CPU time from the work it times.
            return;
        }
        feeds.computeIfAbsent(queue, q -> {
            LinkedBlockingQueue<Integer> feed = new LinkedBlockingQueue<>();
            watchers.add(Thread.ofVirtual().name("accel-trace-" + q).start(() -> watch(feed)));
            return feed;
        }).add(step);
    }

    /** Adds a fact to a submitted step's span (how a direct copy went, say). */
    void note(int step, String key, String value) {
        notes.computeIfAbsent(step, k -> new java.util.LinkedHashMap<>()).put(key, value);
    }

    private void watch(LinkedBlockingQueue<Integer> feed) {
        try {
            while (true) {
                Integer s = feed.take();
                if (s.equals(STOP)) {
                    return;
                }
                try {
                    fences.get(s).await(Duration.ofMinutes(10));
                } catch (RuntimeException e) {
                    // A failed step completes too; the run reports the failure, the trace its time.
                }
                done.put(s, System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the watchers (after every fence is done) and turns the stamps into spans. Idempotent. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        feeds.values().forEach(f -> f.add(STOP));
        for (Thread t : watchers) {
            try {
                t.join(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, Long> lastEnd = new HashMap<>();
        List<Integer> order = new ArrayList<>(submitted.keySet());
        order.sort(null);
        for (int s : order) {
            Fence fence = fences.get(s);
            if (fence.stampsCompletion()) {
                try {
                    fence.await(Duration.ofMinutes(10));
                } catch (RuntimeException e) {
                    // As in watch(): a failed step has a time too.
                }
                done.put(s, fence.completedAt().orElse(System.nanoTime()));
            }
        }
        for (int s : order) {
            Long noticed = done.get(s);
            if (noticed == null) {
                continue;
            }
            Fence fence = fences.get(s);
            long end = fence.completedAt().orElse(noticed);
            long start;
            if (fence.startedAt().isPresent()) {
                start = fence.startedAt().getAsLong();
            } else {
                start = submitted.get(s);
                start = Math.max(start, lastEnd.getOrDefault(queueOf.get(s), origin));
                for (int d : deps.get(s)) {
                    Fence df = fences.get(d);
                    Long e = df != null && df.completedAt().isPresent() ? Long.valueOf(df.completedAt().getAsLong()) : done.get(d);
                    if (e != null) {
                        start = Math.max(start, e);
                    }
                }
            }
            start = Math.min(start, end);
            lastEnd.put(queueOf.get(s), end);
            Step st = steps.get(s);
            timings.add(new StepTiming(st, (start - origin) / 1e9, (end - origin) / 1e9));
            // The queue that ran it ("cpu:0/transfer"): the plan's, except for a direct copy that had to change hands.
            String queue = queueOf.get(s);
            int slash = queue.lastIndexOf('/');
            String name = switch (st.kind()) {
                case KERNEL -> st.node();
                case READ -> "read " + st.value();
                case WRITE -> "write " + st.value();
                case COPY -> "copy " + st.value() + " " + st.source() + " -> " + st.destination();
            };
            String cat = switch (st.kind()) {
                case KERNEL -> st.node().startsWith("convert~") ? "conversion" : "kernel";
                case READ -> "read";
                case WRITE -> "write";
                case COPY -> "copy";
            };
            Map<String, String> args = new java.util.LinkedHashMap<>();
            args.put("estimated_us", String.format(java.util.Locale.ROOT, "%.1f", st.seconds() * 1e6));
            args.putAll(notes.getOrDefault(s, Map.of()));
            spans.add(new Trace.Span(queue.substring(0, slash), queue.substring(slash + 1), name, cat, (start - origin) / 1e3,
                    (end - start) / 1e3, args));
        }
    }

    List<Trace.Span> spans() {
        return spans;
    }

    List<StepTiming> timings() {
        return timings;
    }

    long origin() {
        return origin;
    }
}
