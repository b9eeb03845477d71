package dev.accel.runtime;

import dev.accel.graph.Dim;
import dev.accel.graph.Graph;
import dev.accel.graph.Passes;
import dev.accel.graph.ValueType;
import dev.accel.hal.AccelException;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a graph on a set of devices: plans it per input shape (plans are cached by shape, so a new
 * batch size plans once), prepares each plan on its devices, and runs it.
 *
 * <pre>{@code
 * try (Session s = Session.builder(graph).devices(devices)
 *         .preferences(Preferences.builder().precision(Precision.FP16).build()).build();
 *      RunResult r = s.run(Map.of("x", input))) {
 *     HostTensor y = r.output("y");
 * }
 * }</pre>
 *
 * <p>Fallback: when a device fails during a run (or while a plan is prepared on it), the session
 * stops using it, plans again without it, and repeats the run; the result says so
 * ({@link RunResult#fallbacks()}), and so does the trace. No output of a half-failed run is ever
 * returned. With fallback off ({@link Preferences#fallback()}), the failure is thrown instead.
 *
 * <p>Thread safety: {@link #run} may be called from many threads at once; each run has its own
 * queues and buffers. Kernels and weights are shared. {@link #close()} must not race with runs.
 * The devices stay the caller's: closing the session frees everything it made on them.
 */
public final class Session implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    private final Graph model;
    private final Map<String, Device> devices;
    private final List<Target> targets;
    private final Preferences preferences;
    private final Partitioner partitioner;
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final Map<List<Shape>, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Session(Builder b) {
        this.model = b.model;
        this.devices = new LinkedHashMap<>();
        List<Target> ts = new ArrayList<>();
        for (Device d : b.devices) {
            if (devices.put(d.info().id(), d) != null) {
                throw new InvalidArgumentException("two devices share the id " + d.info().id());
            }
            ts.add(b.profiles.containsKey(d.info().id()) ? Target.of(d, b.profiles.get(d.info().id())) : Target.of(d));
        }
        if (devices.isEmpty()) {
            throw new InvalidArgumentException("a session needs at least one device");
        }
        this.targets = List.copyOf(ts);
        this.preferences = b.preferences;
        this.partitioner = b.partitioner;
    }

    public static Builder builder(Graph model) {
        return new Builder(model);
    }

    /** Builds a {@link Session}. */
    public static final class Builder {
        private final Graph model;
        private final List<Device> devices = new ArrayList<>();
        private final Map<String, dev.accel.hal.DeviceProfile> profiles = new LinkedHashMap<>();
        private Preferences preferences = Preferences.defaults();
        private Partitioner partitioner = new Partitioner();

        private Builder(Graph model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The devices to run on (the caller keeps owning them). */
        public Builder devices(List<Device> list) {
            devices.clear();
            devices.addAll(list);
            return this;
        }

        public Builder preferences(Preferences p) {
            this.preferences = Objects.requireNonNull(p, "preferences");
            return this;
        }

        /** The partitioner (its cost model and search options). */
        public Builder partitioner(Partitioner p) {
            this.partitioner = Objects.requireNonNull(p, "partitioner");
            return this;
        }

        /** A measured profile to plan with for one device instead of its declared one. */
        public Builder profile(String deviceId, dev.accel.hal.DeviceProfile p) {
            profiles.put(deviceId, p);
            return this;
        }

        public Session build() {
            return new Session(this);
        }
    }

    /** An executable and the runs using it; retired executables close when their last run ends. */
    private static final class Holder {
        final Executable exe;
        final AtomicInteger users = new AtomicInteger(1);

        Holder(Executable exe) {
            this.exe = exe;
        }

        boolean acquire() {
            while (true) {
                int u = users.get();
                if (u <= 0) {
                    return false;
                }
                if (users.compareAndSet(u, u + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                exe.close();
            }
        }
    }

    /** The plan of one input shape, replaced when a device fails. */
    private static final class Entry {
        final Graph graph;
        volatile Holder current;

        Entry(Graph graph) {
            this.graph = graph;
        }
    }

    /** Runs once; see {@link #run(Map, boolean)}. */
    public RunResult run(Map<String, HostTensor> inputs) {
        return run(inputs, false);
    }

    /**
     * Runs the graph on {@code inputs} (one host tensor per graph input; their shapes pick the plan).
     *
     * @param trace true to record a {@link Trace} and the measured time of every step
     * @throws InvalidArgumentException for a missing input or one that does not fit the graph
     * @throws AccelException the device failure, when fallback is off or no device is left
     */
    public RunResult run(Map<String, HostTensor> inputs, boolean trace) {
        checkOpen();
        long t0 = System.nanoTime();
        List<Shape> key = shapeKey(inputs);
        Entry entry = entry(key);
        List<FallbackEvent> events = new ArrayList<>();
        List<Trace.Span> spans = new ArrayList<>();
        List<Trace.Instant> instants = new ArrayList<>();
        while (true) {
            Holder h = acquire(entry);
            TraceRecorder rec = trace ? new TraceRecorder(t0, h.exe.plan().steps()) : null;
            try {
                Map<String, HostTensor> out = h.exe.run(inputs, rec);
                if (rec != null) {
                    spans.addAll(rec.spans());
                }
                double s = (System.nanoTime() - t0) / 1e9;
                return new RunResult(out, h.exe.plan(), events, s, trace ? new Trace(spans, instants) : null,
                        rec == null ? null : rec.timings());
            } catch (DeviceFailure f) {
                if (rec != null) {
                    spans.addAll(rec.spans());
                }
                FallbackEvent e = fallBack(entry, h, f);
                events.add(e);
                instants.add(new Trace.Instant("fallback: " + f.device() + " failed", (System.nanoTime() - t0) / 1e3,
                        e.describe()));
            } finally {
                h.release();
            }
        }
    }

    private Holder acquire(Entry entry) {
        while (true) {
            Holder h = entry.current;
            if (h == null) {
                synchronized (entry) {
                    if (entry.current == null) {
                        entry.current = prepare(entry.graph);
                    }
                }
                continue;
            }
            if (h.acquire()) {
                return h;
            }
        }
    }

    /**
     * Prepares a plan for {@code graph} on the devices not failed; a device failing while the plan
     * is prepared is dropped too, and the plan made again without it.
     */
    private Holder prepare(Graph graph) {
        while (true) {
            Plan plan = planFor(graph);
            try {
                return new Holder(new Executable(plan, devices));
            } catch (DeviceFailure f) {
                markFailed(f);
                LOG.log(System.Logger.Level.WARNING, () -> f.device() + " failed while preparing a plan; planning without it: "
                        + f.getMessage());
            }
        }
    }

    private void markFailed(DeviceFailure f) {
        if (!preferences.fallback()) {
            throw f.accelCause();
        }
        failed.add(f.device());
        if (failed.containsAll(devices.keySet())) {
            AccelException e = f.accelCause();
            throw new AccelException("every device of the session has failed (" + failed + "); the last: " + f.getMessage(), e);
        }
    }

    private FallbackEvent fallBack(Entry entry, Holder h, DeviceFailure f) {
        markFailed(f);
        int moved = count(h.exe.plan(), f.device());
        synchronized (entry) {
            if (entry.current == h || entry.current != null && entry.current.exe.deviceIds().stream().anyMatch(failed::contains)) {
                Holder old = entry.current;
                entry.current = prepare(entry.graph);
                if (old != null) {
                    old.release();
                }
            }
        }
        // Other shapes' plans that use the failed device are replaced when they next run into it; drop them now.
        for (Entry other : entries.values()) {
            if (other != entry) {
                synchronized (other) {
                    Holder o = other.current;
                    if (o != null && o.exe.deviceIds().contains(f.device())) {
                        other.current = null;
                        o.release();
                    }
                }
            }
        }
        Plan now = entry.current.exe.plan();
        FallbackEvent e = new FallbackEvent(f.device(), f.accelCause(), moved, now);
        LOG.log(System.Logger.Level.WARNING, e::describe);
        return e;
    }

    private static int count(Plan plan, String device) {
        return (int) plan.source().nodes().stream().filter(n -> device.equals(plan.deviceOf(n.name()))).count();
    }

    private Plan planFor(Graph graph) {
        Preferences p = preferences;
        if (!failed.isEmpty()) {
            Map<String, String> pins = new LinkedHashMap<>();
            for (var e : p.pins().entrySet()) {
                boolean toFailed = targets.stream().anyMatch(t -> failed.contains(t.id()) && t.matches(e.getValue())
                        && targets.stream().noneMatch(x -> !failed.contains(x.id()) && x.matches(e.getValue())));
                if (!toFailed) {
                    pins.put(e.getKey(), e.getValue());
                }
            }
            Preferences.Builder fresh = Preferences.builder().prefer(p.deviceOrder()).precision(p.precision()).fallback(p.fallback())
                    .quantization(p.quantization()).forbid(failed.toArray(String[]::new)).forbid(p.forbidden().toArray(String[]::new));
            pins.forEach(fresh::pin);
            p.memoryBudgets().forEach((d, bytes) -> {
                if (targets.stream().anyMatch(t -> !failed.contains(t.id()) && t.matches(d))) {
                    fresh.memoryBudget(d, bytes);
                }
            });
            p = fresh.build();
        }
        return partitioner.plan(graph, targets, p);
    }

    private List<Shape> shapeKey(Map<String, HostTensor> inputs) {
        List<Shape> key = new ArrayList<>();
        for (String in : model.inputs()) {
            HostTensor h = inputs.get(in);
            if (h == null) {
                throw new InvalidArgumentException("graph '" + model.name() + "': input '" + in + "' (" + model.type(in)
                        + ") is missing; inputs given: " + inputs.keySet());
            }
            key.add(h.shape());
        }
        return List.copyOf(key);
    }

    private Entry entry(List<Shape> key) {
        return entries.computeIfAbsent(key, k -> new Entry(graphFor(k)));
    }

    /** The model resolved for these input shapes: symbols bound, folded, lowered, fused. */
    private Graph graphFor(List<Shape> shapes) {
        Map<String, Integer> bindings = new LinkedHashMap<>();
        boolean same = true;
        for (int i = 0; i < shapes.size(); i++) {
            String in = model.inputs().get(i);
            ValueType t = model.type(in);
            Shape s = shapes.get(i);
            if (t.shape().isKnown()) {
                if (t.shape().rank() != s.rank()) {
                    throw new InvalidArgumentException("graph '" + model.name() + "': input '" + in + "' has shape " + s
                            + ", the graph requires " + t);
                }
                for (int k = 0; k < s.rank(); k++) {
                    Dim dim = t.shape().dim(k);
                    if (dim.isSymbolic()) {
                        Integer before = bindings.put(dim.symbol(), s.dim(k));
                        if (before != null && before != s.dim(k)) {
                            throw new InvalidArgumentException("graph '" + model.name() + "': symbol " + dim.symbol() + " is "
                                    + before + " in one input and " + s.dim(k) + " in input '" + in + "'");
                        }
                        same = false;
                    } else if (dim.value() != s.dim(k)) {
                        throw new InvalidArgumentException("graph '" + model.name() + "': input '" + in + "' has shape " + s
                                + ", the graph requires " + t);
                    }
                }
            } else {
                same = false;
            }
        }
        if (same && model.isResolved()) {
            return model;
        }
        Graph g = Passes.optimize(model, bindings);
        if (!g.isResolved()) {
            throw new InvalidArgumentException("graph '" + model.name() + "' does not resolve to kernels for input shapes " + shapes
                    + ": " + g.unresolved());
        }
        return g;
    }

    /**
     * The plan for inputs of these shapes (made and prepared if not cached), for printing or
     * inspection.
     */
    public Plan plan(Map<String, Shape> inputShapes) {
        checkOpen();
        List<Shape> key = new ArrayList<>();
        for (String in : model.inputs()) {
            Shape s = inputShapes.get(in);
            if (s == null) {
                throw new InvalidArgumentException("graph '" + model.name() + "': no shape given for input '" + in + "'");
            }
            key.add(s);
        }
        Entry e = entry(List.copyOf(key));
        Holder h = acquire(e);
        try {
            return h.exe.plan();
        } finally {
            h.release();
        }
    }

    /** The memory plan for inputs of these shapes (see {@link #plan(Map)}). */
    public MemoryPlan memoryPlan(Map<String, Shape> inputShapes) {
        Plan p = plan(inputShapes);
        for (Entry e : entries.values()) {
            Holder h = e.current;
            if (h != null && h.exe.plan() == p) {
                return h.exe.memory();
            }
        }
        return MemoryPlan.of(p);
    }

    /** How many plans (input shapes) are cached. */
    public int cachedPlans() {
        return entries.size();
    }

    /** The devices that failed and are no longer used. */
    public Set<String> failedDevices() {
        return Set.copyOf(failed);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the session of graph '" + model.name() + "' is closed");
        }
    }

    /** Frees every kernel, weight, queue and buffer the session made on its devices. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (Entry e : entries.values()) {
            synchronized (e) {
                Holder h = e.current;
                e.current = null;
                if (h != null) {
                    try {
                        h.release();
                    } catch (RuntimeException ex) {
                        if (first == null) {
                            first = ex;
                        } else {
                            first.addSuppressed(ex);
                        }
                    }
                }
            }
        }
        entries.clear();
        if (first != null) {
            throw first;
        }
    }
}
