package dev.accel.runtime;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.AccelException;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
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
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
        Submission sub = new Submission(ctx, inputs, trace);
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

    /** The state of one run's submission. */
    private final class Submission {
        private final RunContext ctx;
        private final Map<String, HostTensor> inputs;
        private final TraceRecorder trace;
        private final List<Step> steps = plan.steps();
        private final Fence[] fence;
        private final String[] queueOf;
        private final Map<String, HostTensor> host = new HashMap<>();
        private final Map<String, HostTensor> staged = new LinkedHashMap<>();
        /** Staging copies of direct crossings that had to go through host memory after all. */
        private final List<HostTensor> scratch = new ArrayList<>();
        private final Map<String, Integer> hostStep = new HashMap<>();
        private final Map<String, Map<String, DeviceBuffer>> buffers = new HashMap<>();
        private final Map<String, Map<String, Integer>> producer = new HashMap<>();
        /**
         * Per device and slot, the last step using it on each queue (by queue key): the device's own
         * compute and transfer queues, and another device's queue that read or wrote it through its
         * host segment in a direct copy.
         */
        private final Map<String, List<Map<String, Integer>>> slotUse = new HashMap<>();
        private final Set<String> waited = new HashSet<>();
        private final Set<String> weightViews = new HashSet<>();

        Submission(RunContext ctx, Map<String, HostTensor> inputs, TraceRecorder trace) {
            this.ctx = ctx;
            this.inputs = inputs;
            this.trace = trace;
            this.fence = new Fence[steps.size()];
            this.queueOf = new String[steps.size()];
            for (String d : devices.keySet()) {
                int n = memory.slots(d).size();
                List<Map<String, Integer>> use = new ArrayList<>(n);
                for (int x = 0; x < n; x++) {
                    use.add(new HashMap<>(4));
                }
                slotUse.put(d, use);
            }
        }

        Map<String, HostTensor> execute() {
            for (String in : graph.inputs()) {
                host.put(in, inputs.get(in));
            }
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                try {
                    submit(i, s);
                } catch (InvalidArgumentException e) {
                    throw e;
                } catch (DeviceFailure e) {
                    drain();
                    DeviceFailure first = firstFailure();
                    throw first != null ? first : e;
                } catch (AccelException e) {
                    // The root failure is the first failed step in queue order (this one may only have
                    // waited for it); failing that, this step's own.
                    drain();
                    DeviceFailure first = firstFailure();
                    throw first != null ? first : new DeviceFailure(s.device(), "queueing " + describe(s), e);
                }
            }
            drain();
            DeviceFailure f = firstFailure();
            if (f != null) {
                throw f;
            }
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String o : graph.outputs()) {
                HostTensor h = staged.remove(o);
                if (h == null) {
                    HostTensor src = host.containsKey(o) ? host.get(o) : graph.constant(o).tensor();
                    h = HostTensor.allocate(src.type());
                    MemorySegment.copy(src.segment(), 0, h.segment(), 0, src.type().byteSize());
                }
                out.put(o, h);
            }
            // Every queue is idle: the staging copies of crossings that were not outputs can go.
            staged.values().forEach(HostTensor::close);
            staged.clear();
            scratch.forEach(HostTensor::close);
            scratch.clear();
            return out;
        }

        private void submit(int i, Step s) {
            String d = s.device();
            switch (s.kind()) {
                case KERNEL -> kernel(i, s, graph.node(s.node()).orElseThrow());
                case READ -> {
                    Queue q = ctx.transfer(d);
                    String qk = d + "/transfer";
                    List<Integer> deps = new ArrayList<>();
                    DeviceBuffer b = input(d, s.value(), q, qk, deps);
                    TensorType t = graph.type(s.value()).toTensorType();
                    HostTensor h = HostTensor.allocate(t);
                    staged.put(s.value(), h);
                    host.put(s.value(), h);
                    Fence f = q.read(b, h);
                    done(i, qk, f, deps);
                    hostStep.put(s.value(), i);
                    touch(d, s.value(), qk, i);
                }
                case WRITE -> {
                    Queue q = ctx.compute(d);
                    String qk = d + "/compute";
                    List<Integer> deps = new ArrayList<>();
                    HostTensor h = host.get(s.value());
                    if (h == null) {
                        throw new IllegalStateException("step " + i + " writes " + s.value() + " to " + d + " before it is in host memory");
                    }
                    Integer from = hostStep.get(s.value());
                    if (from != null) {
                        // hal-api leaves open when a write reads its host memory, and some backends (the NPU's
                        // pageable-memory writes) copy at the call: so the host copy must be complete before the call.
                        awaitHost(from);
                        deps.add(from);
                    }
                    DeviceBuffer b = output(d, s.value(), q, qk, deps);
                    Fence f = q.write(h, b);
                    producer.computeIfAbsent(d, k -> new HashMap<>()).put(s.value(), i);
                    done(i, qk, f, deps);
                    touch(d, s.value(), qk, i);
                }
                case COPY -> copy(i, s);
                default -> throw new IllegalStateException(s.kind().toString());
            }
        }

        private void kernel(int i, Step s, Node n) {
            String d = s.device();
            int lane = s.transferQueue() ? 1 : 0;
            Queue q = lane == 1 ? ctx.transfer(d) : ctx.compute(d);
            String qk = d + (lane == 1 ? "/transfer" : "/compute");
            Map<String, DeviceBuffer> bufs = buffers.computeIfAbsent(d, k -> new HashMap<>());
            Map<String, Integer> prod = producer.computeIfAbsent(d, k -> new HashMap<>());
            if (isView(n)) {
                String in = n.inputs().get(0);
                String out = n.outputs().get(0);
                TensorType t = graph.type(out).toTensorType();
                DeviceBuffer w = weights.getOrDefault(d, Map.of()).get(in);
                if (w != null || weightViews.contains(in)) {
                    bufs.put(out, (w != null ? w : bufs.get(in)).view(t));
                    weightViews.add(out);
                    return;
                }
                DeviceBuffer src = bufs.get(in);
                if (src == null) {
                    throw new IllegalStateException("view " + n.name() + " on " + d + " reads " + in + ", which is not there");
                }
                bufs.put(out, ctx.slot(d, memory.slot(d, out), t));
                Integer p = prod.get(in);
                if (p != null) {
                    prod.put(out, p);
                }
                return;
            }
            List<Integer> deps = new ArrayList<>();
            List<DeviceBuffer> ins = new ArrayList<>();
            Kernel k = kernelOf.get(n.name());
            int count = k.spec().inputs().size();
            for (int x = 0; x < count; x++) {
                String in = n.inputs().get(x);
                DeviceBuffer w = weights.getOrDefault(d, Map.of()).get(in);
                if (w == null && weightViews.contains(in)) {
                    w = bufs.get(in);
                }
                ins.add(w != null ? w : input(d, in, q, qk, deps));
            }
            List<DeviceBuffer> outs = new ArrayList<>();
            for (String out : n.outputs()) {
                outs.add(output(d, out, q, qk, deps));
            }
            Fence f = q.dispatch(k, ins, outs);
            for (String out : n.outputs()) {
                prod.put(out, i);
            }
            done(i, qk, f, deps);
            for (int x = 0; x < count; x++) {
                String in = n.inputs().get(x);
                if (bufs.containsKey(in) && !weights.getOrDefault(d, Map.of()).containsKey(in) && !weightViews.contains(in)) {
                    touch(d, in, qk, i);
                }
            }
            for (String out : n.outputs()) {
                touch(d, out, qk, i);
            }
        }

        /** The buffer of value {@code v} on device {@code d}, making {@code q} wait for its producer when on another queue. */
        private DeviceBuffer input(String d, String v, Queue q, String qk, List<Integer> deps) {
            DeviceBuffer b = buffers.getOrDefault(d, Map.of()).get(v);
            if (b == null) {
                throw new IllegalStateException("value '" + v + "' is read on " + d + " before any step put it there");
            }
            Integer p = producer.getOrDefault(d, Map.of()).get(v);
            if (p != null) {
                waitFor(q, qk, p, deps);
            }
            return b;
        }

        /**
         * The slot buffer for value {@code v} on {@code d}, about to be written by queue {@code qk}: after
         * whatever last used that slot on every other queue (this device's other queue, or another
         * device's queue that copied from or into it through its host segment).
         */
        private DeviceBuffer output(String d, String v, Queue q, String qk, List<Integer> deps) {
            int slot = memory.slot(d, v);
            var users = slotUse.get(d).get(slot).entrySet().iterator();
            while (users.hasNext()) {
                var u = users.next();
                if (!u.getKey().equals(qk)) {
                    waitFor(q, qk, u.getValue(), deps);
                    users.remove();
                }
            }
            DeviceBuffer b = ctx.slot(d, slot, graph.type(v).toTensorType());
            buffers.computeIfAbsent(d, k -> new HashMap<>()).put(v, b);
            return b;
        }

        /**
         * A direct crossing ({@link Step.Kind#COPY}): one copy between a buffer of the source and one of
         * the destination, through the host segment of one of them. The plan says which queue copies;
         * the buffers decide whether it can: the source's transfer queue reads into the destination
         * buffer's segment, or the destination's compute queue writes from the source buffer's segment.
         * When the plan's form finds no segment the other one-copy form is used, and when neither buffer
         * has one (a device whose target claimed addressable memory that a buffer does not give), the
         * value goes through a staging host tensor: a read and a write, as a crossing through the host.
         *
         * <p>Ordering. Reading into the destination's segment waits (on fences) for the source's
         * producer and for every queue that last used the destination's buffer, since the read may land
         * at any time once it starts. Writing from the source's segment waits for the producer at the
         * call, because a write may consume its host memory at the call (the NPU's pageable writes do).
         * Either way the copying queue is recorded as a user of both buffers, so that neither is reused
         * by a later tensor before the copy completes, and as the producer of the destination's value.
         */
        private void copy(int i, Step s) {
            String from = s.source();
            String to = s.destination();
            String v = s.value();
            DeviceBuffer src = buffers.getOrDefault(from, Map.of()).get(v);
            if (src == null) {
                throw new IllegalStateException("step " + i + " copies " + v + " from " + from + " before any step put it there");
            }
            Integer p = producer.getOrDefault(from, Map.of()).get(v);
            TensorType t = graph.type(v).toTensorType();
            boolean intoDestination = segment(ctx.slot(to, memory.slot(to, v), t), to).isPresent();
            boolean outOfSource = segment(src, from).isPresent();
            boolean bySource = s.transferQueue() ? intoDestination : !outOfSource && intoDestination;
            List<Integer> deps = new ArrayList<>();
            String qk;
            Fence f;
            if (bySource) {
                Queue q = ctx.transfer(from);
                qk = from + "/transfer";
                if (p != null) {
                    waitFor(q, qk, p, deps);
                }
                DeviceBuffer dst = output(to, v, q, qk, deps);
                f = q.read(src, 0, segment(dst, to).orElseThrow().asSlice(0, dst.byteSize()));
            } else {
                Queue q = ctx.compute(to);
                qk = to + "/compute";
                if (p != null) {
                    waitFor(q, qk, p, deps);
                    awaitHost(p);
                }
                MemorySegment hostSide;
                if (outOfSource) {
                    hostSide = segment(src, from).orElseThrow().asSlice(0, src.byteSize());
                } else {
                    hostSide = staged(i, from, src, t);
                }
                DeviceBuffer dst = output(to, v, q, qk, deps);
                f = q.write(hostSide, dst, 0);
            }
            producer.computeIfAbsent(to, k -> new HashMap<>()).put(v, i);
            done(i, qk, f, deps);
            if (trace != null) {
                trace.note(i, "path", bySource || outOfSource ? "direct" : "via host");
            }
            touch(from, v, qk, i);
            touch(to, v, qk, i);
        }

        /**
         * Reads {@code src} (of {@code from}) into a new staging host tensor on {@code from}'s transfer
         * queue and waits for it, for a crossing whose buffers turned out to have no host segment.
         */
        private MemorySegment staged(int i, String from, DeviceBuffer src, TensorType t) {
            HostTensor h = HostTensor.allocate(t);
            scratch.add(h);
            try {
                // The compute queue waited for the producer already; the read is the transfer queue's next work.
                ctx.transfer(from).read(src, h).await();
            } catch (AccelException e) {
                throw new DeviceFailure(from, "reading " + steps.get(i).value() + " into host memory for " + describe(steps.get(i)), e);
            }
            return h.segment();
        }

        /** The buffer's host segment; a device failing to answer fails as a device. */
        private java.util.Optional<MemorySegment> segment(DeviceBuffer b, String device) {
            try {
                return b.hostSegment();
            } catch (AccelException e) {
                throw new DeviceFailure(device, "giving the host segment of a " + b.type() + " buffer", e);
            }
        }

        private void awaitHost(int readStep) {
            fence[readStep].await();
        }

        private void touch(String d, String v, String qk, int step) {
            slotUse.get(d).get(memory.slot(d, v)).put(qk, step);
        }

        private void waitFor(Queue q, String qk, int step, List<Integer> deps) {
            if (qk.equals(queueOf[step]) || fence[step] == null) {
                return;
            }
            if (waited.add(qk + "#" + step)) {
                q.waitFor(fence[step]);
                deps.add(step);
            }
        }

        private void done(int i, String qk, Fence f, List<Integer> deps) {
            fence[i] = f;
            queueOf[i] = qk;
            if (trace != null) {
                trace.submitted(i, qk, f, deps);
            }
        }

        /** Waits until every queue of the context has finished or failed everything queued. */
        private void drain() {
            for (Queue q : ctx.queues()) {
                try {
                    q.marker().await();
                } catch (RuntimeException e) {
                    // Failures are found step by step below; here the queue only has to be idle.
                }
            }
            if (trace != null) {
                trace.finish();
            }
        }

        /** The failure of the first failed step in queue order, or null. */
        private DeviceFailure firstFailure() {
            for (int i = 0; i < fence.length; i++) {
                if (fence[i] == null) {
                    continue;
                }
                try {
                    fence[i].await(Duration.ofMinutes(1));
                } catch (AccelException e) {
                    return new DeviceFailure(steps.get(i).device(), describe(steps.get(i)), e);
                }
            }
            return null;
        }

        /** Frees the staging copies and closes the (possibly failed) context, after its queues are idle. */
        void discard() {
            RuntimeException err = null;
            try {
                ctx.close();
            } catch (RuntimeException e) {
                err = e;
            }
            if (trace != null) {
                trace.finish();
            }
            staged.values().forEach(HostTensor::close);
            staged.clear();
            scratch.forEach(HostTensor::close);
            scratch.clear();
            if (err != null) {
                throw err;
            }
        }
    }

    private static String describe(Step s) {
        return switch (s.kind()) {
            case KERNEL -> "kernel " + s.node();
            case READ -> "read of " + s.value() + " into host memory";
            case WRITE -> "write of " + s.value() + " from host memory";
            case COPY -> "copy of " + s.value() + " from " + s.source() + " to " + s.destination();
        };
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
