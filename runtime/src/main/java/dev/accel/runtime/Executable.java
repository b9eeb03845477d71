package dev.accel.runtime;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.AccelException;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * One plan made ready on its devices: kernels prepared (one per distinct spec, constant inputs and
 * device; the constants go to {@link Device#prepare(OpSpec, Map)} so that a device can pack them
 * once), weights uploaded once, memory planned, and a pool of {@link RunContext}s. {@link #run} queues the plan's
 * steps in order, each on its device's compute or transfer queue; a step waits (through
 * {@link Queue#waitFor}) only for work of another queue that it reads, or that last used the
 * buffer it is about to overwrite, another device's queue included: a direct copy
 * ({@link Step.Kind#COPY}) reads or writes a buffer of one device from a queue of the other,
 * through the buffer's host segment. Independent work on different devices therefore overlaps.
 *
 * <p>Thread safety: {@link #run} may be called from many threads; each run takes its own context.
 * Owns its kernels, weights and contexts; {@link #close()} frees them (idempotent) and must not
 * race with runs (the session guarantees it).
 */
final class Executable implements AutoCloseable {
    private final Plan plan;
    private final Graph graph;
    private final MemoryPlan memory;
    private final Map<String, Device> devices = new LinkedHashMap<>();
    private final Map<String, Kernel> kernelOf = new HashMap<>();
    private final List<Kernel> kernels = new ArrayList<>();
    private final Map<String, Map<String, DeviceBuffer>> weights = new HashMap<>();
    private final ConcurrentLinkedDeque<RunContext> pool = new ConcurrentLinkedDeque<>();
    private final Set<RunContext> contexts = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    static boolean isView(Node n) {
        return n.kernel() instanceof Reshape || n.kernel() instanceof Identity;
    }

    /**
     * Prepares the plan on the devices (by id; every device the plan uses must be there).
     *
     * @throws DeviceFailure naming a device that could not prepare a kernel or take the weights
     */
    Executable(Plan plan, Map<String, Device> byId) {
        this.plan = plan;
        this.graph = plan.graph();
        this.memory = MemoryPlan.of(plan);
        for (var t : plan.usedTargets()) {
            Device d = byId.get(t.id());
            if (d == null) {
                throw new InvalidArgumentException("the plan uses device " + t.id() + ", which this session does not have; devices: "
                        + byId.keySet());
            }
            devices.put(t.id(), d);
        }
        try {
            prepare();
        } catch (RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    /** A prepared kernel's identity on one device: its spec and which constant value feeds each constant input. */
    private record KernelKey(OpSpec spec, List<String> constants) {
    }

    private void prepare() {
        Map<String, Map<KernelKey, Kernel>> cache = new HashMap<>();
        Map<String, Queue> setup = new LinkedHashMap<>();
        String current = null;
        try {
            for (Step s : plan.steps()) {
                if (s.kind() != Step.Kind.KERNEL) {
                    continue;
                }
                current = s.device();
                Node n = graph.node(s.node()).orElseThrow();
                Device d = devices.get(s.device());
                Map<String, DeviceBuffer> w = weights.computeIfAbsent(s.device(), k -> new HashMap<>());
                for (String in : n.inputs()) {
                    Constant c = in.isEmpty() ? null : graph.constant(in);
                    if (c != null && !w.containsKey(in)) {
                        DeviceBuffer b = d.allocate(c.type());
                        w.put(in, b);
                        // The constant's memory is managed by the garbage collector and reachable from the graph.
                        setup.computeIfAbsent(s.device(), k -> d.newQueue()).write(c.tensor().segment(), b, 0);
                    }
                }
                if (isView(n)) {
                    continue;
                }
                OpSpec spec = graph.spec(n);
                // The node's constant inputs (weights, biases, quantisation parameters) go to prepare, so that a
                // device can pre-process them once; nodes share a kernel only when their specs and constants agree.
                Map<Integer, HostTensor> constants = new LinkedHashMap<>();
                List<String> constantNames = new ArrayList<>();
                for (int i = 0; i < spec.inputs().size(); i++) {
                    String in = n.inputs().get(i);
                    Constant c = in.isEmpty() ? null : graph.constant(in);
                    if (c != null) {
                        constants.put(i, c.tensor());
                        constantNames.add(i + "=" + in);
                    }
                }
                KernelKey key = new KernelKey(spec, constantNames);
                Kernel k = cache.computeIfAbsent(s.device(), x -> new HashMap<>()).get(key);
                if (k == null) {
                    k = constants.isEmpty() ? d.prepare(spec) : d.prepare(spec, constants);
                    kernels.add(k);
                    cache.get(s.device()).put(key, k);
                }
                kernelOf.put(n.name(), k);
            }
            for (var e : setup.entrySet()) {
                current = e.getKey();
                e.getValue().finish();
            }
        } catch (InvalidArgumentException e) {
            throw e;
        } catch (AccelException e) {
            throw new DeviceFailure(current, "preparing the plan's kernels and weights", e);
        } finally {
            for (Queue q : setup.values()) {
                q.close();
            }
        }
    }

    Plan plan() {
        return plan;
    }

    Graph graph() {
        return graph;
    }

    Map<String, Device> devices() {
        return devices;
    }

    Map<String, Kernel> kernelOf() {
        return kernelOf;
    }

    Map<String, Map<String, DeviceBuffer>> weights() {
        return weights;
    }

    MemoryPlan memory() {
        return memory;
    }

    /** The ids of the devices this executable runs on. */
    Set<String> deviceIds() {
        return devices.keySet();
    }

    private RunContext borrow() {
        RunContext c = pool.pollFirst();
        if (c == null) {
            c = new RunContext(devices, memory);
            contexts.add(c);
        }
        return c;
    }

    /**
     * Runs the plan once.
     *
     * @param inputs one host tensor per graph input, of its type; kept open by the caller until this returns
     * @param trace the recorder of this attempt, or null
     * @return one new host tensor per graph output (the caller owns them)
     * @throws DeviceFailure naming the device whose work failed; nothing is returned then, and the
     *     run's context is closed
     */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs, TraceRecorder trace) {
        if (closed) {
            throw new IllegalStateException("the executable of graph '" + graph.name() + "' is closed");
        }
        for (String in : graph.inputs()) {
            HostTensor h = inputs.get(in);
            TensorType want = graph.type(in).toTensorType();
            if (h == null) {
                throw new InvalidArgumentException("graph '" + graph.name() + "': input '" + in + "' (" + want + ") is missing");
            }
            if (!h.type().equals(want)) {
                throw new InvalidArgumentException("graph '" + graph.name() + "': input '" + in + "' is " + h.type()
                        + ", requires " + want);
            }
        }
        RunContext ctx = borrow();
        Submission sub = new Submission(this, ctx, inputs, trace);
        boolean ok = false;
        try {
            Map<String, HostTensor> out = sub.execute();
            ok = true;
            return out;
        } finally {
            if (ok) {
                pool.addFirst(ctx);
            } else {
                contexts.remove(ctx);
                sub.discard();
            }
        }
    }


    private void closeQuietly(Throwable primary) {
        try {
            close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> all = new ArrayList<>(contexts);
        contexts.clear();
        pool.clear();
        all.addAll(kernels);
        for (Map<String, DeviceBuffer> w : weights.values()) {
            all.addAll(w.values());
        }
        kernels.clear();
        weights.clear();
        RuntimeException first = null;
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (first == null) {
                    first = r;
                } else {
                    first.addSuppressed(r);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
