package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.accel.hal.Kernel;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A prepared NPU op: a compiled {@code npu_graph} whose handle lives in an arena owned by this
 * kernel (its cleanup destroys the graph), the order in which spec inputs bind to graph inputs, and
 * the timing model's estimate per execution.
 */
final class NpuKernel implements Kernel {
    private final NpuDevice device;
    private final OpSpec spec;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment graph;
    private final int[] bindOrder;
    private final long estimatedNanos;
    private final double operations;

    NpuKernel(NpuDevice device, OpSpec spec, NpuGraphBuilder.Built built) {
        this.device = device;
        this.spec = spec;
        this.graph = built.graph().reinterpret(arena, NpuNative::graphDestroy);
        this.bindOrder = built.bindOrder();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(NpuLayouts.GRAPH_INFO);
            NpuNative.graphInfo(graph, info);
            this.estimatedNanos = info.get(JAVA_LONG, NpuLayouts.GI_ESTIMATED_NS);
            this.operations = info.get(JAVA_DOUBLE, NpuLayouts.GI_OPS);
        }
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public NpuDevice device() {
        return device;
    }

    MemorySegment graph() {
        return graph;
    }

    /** How many buffers an execution binds as graph inputs (fewer than the spec's inputs where parameters were compiled in). */
    int graphInputs() {
        return bindOrder.length;
    }

    /** For graph input k, the index of the spec input bound to it. */
    int bindIndex(int k) {
        return bindOrder[k];
    }

    /** The timing model's simulated nanoseconds per execution. */
    long estimatedNanos() {
        return estimatedNanos;
    }

    /** Arithmetic operations per execution, as the timing model counts them. */
    double operations() {
        return operations;
    }

    boolean isClosed() {
        return !arena.scope().isAlive();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!arena.scope().isAlive()) {
                return;
            }
            try {
                arena.close();
            } finally {
                device.release(this);
            }
        }
    }

    @Override
    public String toString() {
        return "NpuKernel(" + spec + ")";
    }
}
