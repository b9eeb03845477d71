package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns one supported {@link OpSpec} into a compiled one-node graph of libaccelnpu. Every spec
 * input becomes a graph input; quantization scales and zero points are graph inputs too (float32
 * and 8-bit parameter tensors), which the library reads at each execution, so a kernel prepared
 * once serves any parameter values. The library wants parameter tensors declared before the tensors
 * they quantize, so graph inputs may come in another order than the spec's: {@link Built#bindOrder}
 * maps each graph input to its spec input.
 *
 * <p>Where the caller gives a tensor's scale and zero point as constants ({@link
 * dev.accel.hal.Device#prepare(OpSpec, Map)}), they are compiled into the graph instead
 * ({@code NPU_QUANT_STATIC}), as NPU SDKs fix quantization encodings at graph build: the library
 * checks them once at compile (a scale that is not finite and positive is refused there, not at an
 * execution), and executions neither bind nor read those parameter tensors, so they are left out of
 * the graph's inputs.
 */
final class NpuGraphBuilder {
    /** A compiled graph (owned by the caller) and, per graph input, the index of the spec input bound to it. */
    record Built(MemorySegment graph, int[] bindOrder) {
    }

    private final MemorySegment graph;
    private final Arena arena;
    private final String context;
    private final OpSpec spec;
    private final Map<Integer, HostTensor> constants;
    private final List<Integer> bindOrder = new ArrayList<>();

    private NpuGraphBuilder(MemorySegment graph, Arena arena, String context, OpSpec spec,
                            Map<Integer, HostTensor> constants) {
        this.graph = graph;
        this.arena = arena;
        this.context = context;
        this.spec = spec;
        this.constants = constants;
    }

    /** How a quantized tensor gets its parameters: graph-input tensors (ids), or values fixed at compile. */
    private record Quant(int kind, int axis, int scaleTensor, int zeroTensor, float[] scales, int[] zeros) {
        static final Quant NONE = new Quant(NpuLayouts.QUANT_NONE, -1, -1, -1, null, null);
    }

    /**
     * Builds and compiles the graph of a spec that {@link NpuCapabilities} supports; {@code constants}
     * (already checked against the spec) fix quantization parameters at compile.
     */
    static Built build(MemorySegment device, String deviceId, OpSpec spec, Map<Integer, HostTensor> constants) {
        MemorySegment g = NpuNative.graphCreate(device);
        try (Arena a = Arena.ofConfined()) {
            NpuGraphBuilder b = new NpuGraphBuilder(g, a, deviceId + ": prepare " + spec, spec, constants);
            b.addNode();
            NpuNative.graphCompile(g, b.context);
            return new Built(g, b.bindOrder.stream().mapToInt(Integer::intValue).toArray());
        } catch (RuntimeException e) {
            try {
                NpuNative.graphDestroy(g);
            } catch (RuntimeException second) {
                e.addSuppressed(second);
            }
            throw e;
        }
    }

    private void addNode() {
        List<TensorType> in = spec.inputs();
        TensorType out = spec.outputs().get(0);
        switch (spec.op()) {
            case Conv2d c -> node(NpuLayouts.OP_CONV2D, inputs(in.size()), output(out), convAttrs(c), null);
            case QLinearConv q -> {
                Quant xq = quant(1, 2, -1), wq = quant(4, 5, 0), yq = quant(6, 7, -1);
                int x = quantInput(0, dims(in.get(0)), xq);
                int w = quantInput(3, dims(in.get(3)), wq);
                int[] ins = in.size() == 9 ? new int[] {x, w, input(8)} : new int[] {x, w};
                node(NpuLayouts.OP_CONV2D, ins, quantOutput(out, dims(out), yq), convAttrs(q.geometry()), null);
            }
            case MatMul m -> {
                long[][] d = matmulDims(in.get(0), in.get(1));
                int a = input(0, d[0]), b = input(1, d[1]);
                node(NpuLayouts.OP_MATMUL, new int[] {a, b}, output(out, d[2]), null, null);
            }
            case QLinearMatMul q -> {
                long[][] d = matmulDims(in.get(0), in.get(3));
                Quant aq = quant(1, 2, -1), bq = quant(4, 5, d[1].length - 1), yq = quant(6, 7, -1);
                int a = quantInput(0, d[0], aq);
                int b = quantInput(3, d[1], bq);
                node(NpuLayouts.OP_MATMUL, new int[] {a, b}, quantOutput(out, d[2], yq), null, null);
            }
            case Gemm g -> node(NpuLayouts.OP_GEMM, inputs(in.size()), output(out),
                    new long[] {g.transA() ? 1 : 0, g.transB() ? 1 : 0}, new double[] {g.alpha(), g.beta()});
            case Binary b -> node(b.kind() == Binary.Kind.ADD ? NpuLayouts.OP_ADD : NpuLayouts.OP_MUL, inputs(2),
                    output(out), null, null);
            case Unary u -> {
                int op = switch (u.kind()) {
                    case RELU -> NpuLayouts.OP_RELU;
                    case CLIP -> NpuLayouts.OP_CLIP;
                    case HARD_SWISH -> NpuLayouts.OP_HARD_SWISH;
                    default -> throw unsupported();
                };
                node(op, inputs(1), output(out), null, new double[] {u.alpha(), u.beta()});
            }
            case Pool2d p -> node(NpuLayouts.OP_POOL2D, inputs(1), output(out), new long[] {
                p.kind() == Pool2d.PoolKind.MAX ? 0 : 1, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.dilationH(), p.dilationW(),
                p.ceilMode() ? 1 : 0, p.countIncludePad() ? 1 : 0}, null);
            case GlobalAveragePool g -> node(NpuLayouts.OP_GLOBAL_AVERAGE_POOL, inputs(1), output(out), null, null);
            case Softmax s -> node(NpuLayouts.OP_SOFTMAX, inputs(1), output(out),
                    new long[] {in.get(0).shape().normalizeAxis(s.axis())}, null);
            case QuantizeLinear q -> {
                TensorType x = in.get(0);
                int axis = x.rank() == 0 ? -1 : x.shape().normalizeAxis(q.axis());
                Quant yq = quant(1, in.size() == 3 ? 2 : -1, axis);
                int xi = input(0);
                node(NpuLayouts.OP_QUANTIZE, new int[] {xi}, quantOutput(out, dims(out), yq), null, null);
            }
            default -> throw unsupported();
        }
    }

    private InvalidArgumentException unsupported() {
        return new InvalidArgumentException(context + ": the NPU graph builder has no mapping for " + spec.op().name()
                + "; ask capabilities() first");
    }

    private static long[] dims(TensorType t) {
        return Arrays.stream(t.shape().dims()).asLongStream().toArray();
    }

    /** The library's MatMul takes rank >= 2: a 1-D A is bound as [1, K], a 1-D B as [K, 1]; same bytes. */
    private static long[][] matmulDims(TensorType a, TensorType b) {
        int[] ad = a.rank() == 1 ? new int[] {1, a.shape().dim(0)} : a.shape().dims();
        int[] bd = b.rank() == 1 ? new int[] {b.shape().dim(0), 1} : b.shape().dims();
        Shape batch = Shape.broadcast(Shape.of(Arrays.copyOf(ad, ad.length - 2)), Shape.of(Arrays.copyOf(bd, bd.length - 2)));
        int[] yd = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        yd[batch.rank()] = ad[ad.length - 2];
        yd[batch.rank() + 1] = bd[bd.length - 1];
        return new long[][] {Arrays.stream(ad).asLongStream().toArray(), Arrays.stream(bd).asLongStream().toArray(),
            Arrays.stream(yd).asLongStream().toArray()};
    }

    private static long[] convAttrs(Conv2d c) {
        return new long[] {c.strideH(), c.strideW(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight(),
            c.dilationH(), c.dilationW(), c.groups()};
    }

    static int dtype(DType d) {
        return switch (d) {
            case I8 -> NpuLayouts.DTYPE_INT8;
            case U8 -> NpuLayouts.DTYPE_UINT8;
            case F16 -> NpuLayouts.DTYPE_FLOAT16;
            case I32 -> NpuLayouts.DTYPE_INT32;
            case F32 -> NpuLayouts.DTYPE_FLOAT32;
            default -> throw new InvalidArgumentException("the NPU has no " + d.displayName() + " tensors");
        };
    }

    private int[] inputs(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = input(i);
        }
        return ids;
    }

    private int input(int specIndex) {
        return input(specIndex, dims(spec.inputs().get(specIndex)));
    }

    private int input(int specIndex, long[] dims) {
        return tensor(spec.inputs().get(specIndex).dtype(), dims, NpuLayouts.ROLE_INPUT, specIndex, Quant.NONE);
    }

    private int quantInput(int specIndex, long[] dims, Quant q) {
        return tensor(spec.inputs().get(specIndex).dtype(), dims, NpuLayouts.ROLE_INPUT, specIndex, q);
    }

    /**
     * The parameters of a quantized tensor whose scale is spec input {@code scaleIndex} and zero point
     * spec input {@code zeroIndex} (-1: none, zero), per channel along {@code axis} when the scale has
     * more than one element. Static when the caller gave the scale and the zero point as constants;
     * else two graph inputs declared here, before the tensor they quantize, as the library requires.
     */
    private Quant quant(int scaleIndex, int zeroIndex, int axis) {
        TensorType scaleType = spec.inputs().get(scaleIndex);
        int count = Math.toIntExact(scaleType.numel());
        int ax = count > 1 ? axis : -1;
        HostTensor s = constants.get(scaleIndex);
        HostTensor z = zeroIndex < 0 ? null : constants.get(zeroIndex);
        if (s == null || (zeroIndex >= 0 && z == null)) {
            return new Quant(NpuLayouts.QUANT_FROM_TENSORS, ax, input(scaleIndex), zeroIndex < 0 ? -1 : input(zeroIndex),
                    null, null);
        }
        float[] scales = new float[count];
        int[] zeros = z == null ? null : new int[count];
        for (int c = 0; c < count; c++) {
            scales[c] = s.getFloat(c);
            if (z != null) {
                zeros[c] = (int) z.getDouble(z.numel() == 1 ? 0 : c);
            }
        }
        return new Quant(NpuLayouts.QUANT_STATIC, ax, -1, -1, scales, zeros);
    }

    private int output(TensorType t) {
        return output(t, dims(t));
    }

    private int output(TensorType t, long[] dims) {
        return tensor(t.dtype(), dims, NpuLayouts.ROLE_OUTPUT, -1, Quant.NONE);
    }

    private int quantOutput(TensorType t, long[] dims, Quant q) {
        return tensor(t.dtype(), dims, NpuLayouts.ROLE_OUTPUT, -1, q);
    }

    private int tensor(DType dtype, long[] dims, int role, int specIndex, Quant q) {
        MemorySegment d = arena.allocate(NpuLayouts.TENSOR_DESC);
        d.set(JAVA_INT, NpuLayouts.TD_DTYPE, dtype(dtype));
        d.set(JAVA_INT, NpuLayouts.TD_RANK, dims.length);
        NpuLayouts.putLongs(d, NpuLayouts.TD_DIMS, dims);
        d.set(JAVA_INT, NpuLayouts.TD_ROLE, role);
        d.set(JAVA_INT, NpuLayouts.TD_Q_KIND, q.kind());
        d.set(JAVA_INT, NpuLayouts.TD_Q_AXIS, q.axis());
        d.set(JAVA_INT, NpuLayouts.TD_Q_SCALE_TENSOR, q.scaleTensor());
        d.set(JAVA_INT, NpuLayouts.TD_Q_ZERO_TENSOR, q.zeroTensor());
        if (q.scales() != null) {
            // The library copies both arrays at npu_graph_add_tensor.
            d.set(JAVA_INT, NpuLayouts.TD_Q_COUNT, q.scales().length);
            d.set(ADDRESS, NpuLayouts.TD_Q_SCALES, arena.allocateFrom(JAVA_FLOAT, q.scales()));
            d.set(ADDRESS, NpuLayouts.TD_Q_ZERO_POINTS, q.zeros() == null ? MemorySegment.NULL
                    : arena.allocateFrom(JAVA_INT, q.zeros()));
        }
        int id = NpuNative.graphAddTensor(graph, d, context);
        if (role == NpuLayouts.ROLE_INPUT) {
            bindOrder.add(specIndex);
        }
        return id;
    }

    private void node(int op, int[] inputs, int output, long[] iattrs, double[] fattrs) {
        MemorySegment n = arena.allocate(NpuLayouts.NODE_DESC);
        n.set(JAVA_INT, NpuLayouts.ND_OP, op);
        n.set(JAVA_INT, NpuLayouts.ND_NUM_INPUTS, inputs.length);
        n.set(JAVA_INT, NpuLayouts.ND_NUM_OUTPUTS, 1);
        NpuLayouts.putInts(n, NpuLayouts.ND_INPUTS, inputs);
        NpuLayouts.putInts(n, NpuLayouts.ND_OUTPUTS, output);
        if (iattrs != null) {
            NpuLayouts.putLongs(n, NpuLayouts.ND_IATTRS, iattrs);
        }
        if (fattrs != null) {
            for (int i = 0; i < fattrs.length; i++) {
                n.set(JAVA_DOUBLE, NpuLayouts.ND_FATTRS + 8L * i, fattrs[i]);
            }
        }
        NpuNative.graphAddNode(graph, n, context);
    }
}
