package dev.accel.runtime;

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

/** The state of one run's submission. */
final class Submission {
    private final Plan plan;
    private final Graph graph;
    private final MemoryPlan memory;
    private final Map<String, Device> devices;
    private final Map<String, Kernel> kernelOf;
    private final Map<String, Map<String, DeviceBuffer>> weights;
    private final RunContext ctx;
    private final Map<String, HostTensor> inputs;
    private final TraceRecorder trace;
    private final List<Step> steps;
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

    Submission(Executable exe, RunContext ctx, Map<String, HostTensor> inputs, TraceRecorder trace) {
        this.plan = exe.plan();
        this.graph = exe.graph();
        this.memory = exe.memory();
        this.devices = exe.devices();
        this.kernelOf = exe.kernelOf();
        this.weights = exe.weights();
        this.ctx = ctx;
        this.inputs = inputs;
        this.trace = trace;
        this.steps = plan.steps();
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
        if (Executable.isView(n)) {
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

    private static String describe(Step s) {
        return switch (s.kind()) {
            case KERNEL -> "kernel " + s.node();
            case READ -> "read of " + s.value() + " into host memory";
            case WRITE -> "write of " + s.value() + " from host memory";
            case COPY -> "copy of " + s.value() + " from " + s.source() + " to " + s.destination();
        };
    }
}
