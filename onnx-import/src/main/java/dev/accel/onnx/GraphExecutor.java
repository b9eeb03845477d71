package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a resolved graph on one device, node by node, through hal-api only: kernels prepared once
 * (one per distinct spec), constants uploaded once on first use, then per run: allocate, write the
 * inputs, dispatch each node in topological order on one queue, read the outputs. Intermediate
 * buffers are freed once their last reader has completed. This is the simple reference path the
 * ONNX test runner uses; the runtime module plans memory and spreads work across devices.
 *
 * <p>Ownership: the executor owns its kernels and constant buffers and frees them on
 * {@link #close()} (idempotent); the device stays the caller's. Not thread-safe.
 */
public final class GraphExecutor implements AutoCloseable {
    private static final int FREE_EVERY = 16;

    private final Device device;
    private final Graph graph;
    private final List<Kernel> kernels = new ArrayList<>();
    private final Map<String, DeviceBuffer> constants = new HashMap<>();
    private boolean closed;

    /**
     * Prepares every kernel of the graph on the device.
     *
     * @throws InvalidArgumentException when the graph is not resolved (a graph-level node or a
     *     non-static type remains)
     * @throws dev.accel.hal.UnsupportedOpException when the device cannot prepare a node's spec
     */
    public GraphExecutor(Device device, Graph graph) {
        if (!graph.isResolved()) {
            throw new InvalidArgumentException("graph '" + graph.name() + "' is not resolved: " + graph.unresolved());
        }
        this.device = device;
        this.graph = graph;
        Map<OpSpec, Kernel> bySpec = new HashMap<>();
        try {
            for (Node n : graph.nodes()) {
                OpSpec spec = graph.spec(n);
                Kernel k = bySpec.get(spec);
                if (k == null) {
                    k = device.prepare(spec);
                    bySpec.put(spec, k);
                }
                kernels.add(k);
            }
        } catch (RuntimeException e) {
            bySpec.values().forEach(Kernel::close);
            throw e;
        }
    }

    /**
     * Runs the graph once.
     *
     * @param inputs one host tensor per graph input, of exactly the input's type; they must stay
     *     open until this returns
     * @return one new host tensor per graph output, in output order; the caller owns and closes them
     * @throws InvalidArgumentException for a missing input or one of the wrong type
     * @throws dev.accel.hal.AccelException when the device fails a transfer or kernel
     */
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        if (closed) {
            throw new IllegalStateException("executor of graph '" + graph.name() + "' is closed");
        }
        for (String i : graph.inputs()) {
            HostTensor h = inputs.get(i);
            TensorType want = graph.type(i).toTensorType();
            if (h == null) {
                throw new InvalidArgumentException("graph '" + graph.name() + "': input '" + i + "' (" + want + ") is missing");
            }
            if (!h.type().equals(want)) {
                throw new InvalidArgumentException("graph '" + graph.name() + "': input '" + i + "' is " + h.type() + ", requires " + want);
            }
        }
        Map<String, Integer> lastUse = new HashMap<>();
        List<Node> nodes = graph.nodes();
        for (int k = 0; k < nodes.size(); k++) {
            for (String v : nodes.get(k).inputs()) {
                lastUse.put(v, k);
            }
        }
        Set<String> keep = new HashSet<>(graph.outputs());
        Map<String, DeviceBuffer> live = new HashMap<>();
        List<DeviceBuffer> dead = new ArrayList<>();
        Map<String, HostTensor> results = new LinkedHashMap<>();
        boolean ok = false;
        try (Queue q = device.newQueue()) {
            for (String i : graph.inputs()) {
                DeviceBuffer b = device.allocate(graph.type(i).toTensorType());
                live.put(i, b);
                q.write(inputs.get(i), b);
            }
            for (int k = 0; k < nodes.size(); k++) {
                Node n = nodes.get(k);
                List<DeviceBuffer> in = new ArrayList<>();
                for (String v : n.inputs()) {
                    if (!v.isEmpty()) {
                        in.add(buffer(v, live, q));
                    }
                }
                List<DeviceBuffer> out = new ArrayList<>();
                for (String v : n.outputs()) {
                    DeviceBuffer b = device.allocate(graph.type(v).toTensorType());
                    live.put(v, b);
                    out.add(b);
                }
                q.dispatch(kernels.get(k), in.subList(0, kernels.get(k).spec().inputs().size()), out);
                for (String v : n.inputs()) {
                    if (lastUse.getOrDefault(v, -1) == k && !keep.contains(v) && live.containsKey(v)) {
                        dead.add(live.remove(v));
                    }
                }
                for (String v : n.outputs()) {
                    if (!lastUse.containsKey(v) && !keep.contains(v)) {
                        dead.add(live.remove(v));
                    }
                }
                if (dead.size() >= FREE_EVERY) {
                    q.finish();
                    dead.forEach(DeviceBuffer::close);
                    dead.clear();
                }
            }
            for (String o : graph.outputs()) {
                TensorType t = graph.type(o).toTensorType();
                HostTensor h = HostTensor.allocate(t);
                results.put(o, h);
                Constant c = graph.constant(o);
                if (c != null) {
                    MemorySegment.copy(c.tensor().segment(), 0, h.segment(), 0, t.byteSize());
                } else {
                    q.read(live.get(o), h);
                }
            }
            q.finish();
            ok = true;
            return results;
        } finally {
            dead.forEach(DeviceBuffer::close);
            live.values().forEach(DeviceBuffer::close);
            if (!ok) {
                results.values().forEach(HostTensor::close);
                // A failed queue may have skipped constant uploads: upload them again next time.
                constants.values().forEach(DeviceBuffer::close);
                constants.clear();
            }
        }
    }

    private DeviceBuffer buffer(String v, Map<String, DeviceBuffer> live, Queue q) {
        DeviceBuffer b = live.get(v);
        if (b != null) {
            return b;
        }
        Constant c = graph.constant(v);
        if (c == null) {
            throw new IllegalStateException("value '" + v + "' of graph '" + graph.name() + "' has no buffer; the graph is not in topological order");
        }
        b = constants.get(v);
        if (b == null) {
            b = device.allocate(c.type());
            constants.put(v, b);
            // The constant's memory is managed by the garbage collector and reachable from the graph.
            q.write(c.tensor().segment(), b, 0);
        }
        return b;
    }

    /** Frees the kernels and constant buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        constants.values().forEach(DeviceBuffer::close);
        constants.clear();
        new HashSet<>(kernels).forEach(Kernel::close);
        kernels.clear();
    }
}
