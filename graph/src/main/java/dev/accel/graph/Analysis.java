package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Static analysis of a graph with static types: per node and in total, parameters, MACs, FLOPs,
 * bytes read and written (memory access cost) and arithmetic intensity, and the shares of
 * convolution and fully connected layers in parameters and FLOPs.
 *
 * <p>Convolution: {@code MACs = N * M * oH * oW * (C / groups) * kH * kW}, FLOPs twice that plus one
 * per output element for the bias. Gemm: {@code M * N * K}; MatMul: output elements times K.
 * Attention: {@code B * H * Sq * Sk * (D + Dv)}. Pooling: one FLOP per window element per output;
 * normalisations and softmax a few per element (BatchNorm 2, LayerNorm 5, Softmax 3, LRN
 * {@code 2 * size + 3}); elementwise ops one per output element. Total parameters count each
 * constant once, however many nodes read it.
 */
public final class Analysis {
    private final String graph;
    private final List<NodeCost> nodes;
    private final NodeCost total;
    private final long convParams;
    private final long fcParams;
    private final long convFlops;
    private final long fcFlops;

    private Analysis(String graph, List<NodeCost> nodes, NodeCost total, long[] shares) {
        this.graph = graph;
        this.nodes = List.copyOf(nodes);
        this.total = total;
        this.convParams = shares[0];
        this.fcParams = shares[1];
        this.convFlops = shares[2];
        this.fcFlops = shares[3];
    }

    /**
     * Analyses a graph whose every value has a static type (bind and resolve it first).
     *
     * @throws InvalidArgumentException naming a value whose type is not static
     */
    public static Analysis of(Graph g) {
        for (Value v : g.values().values()) {
            if (!v.type().isStatic()) {
                throw new InvalidArgumentException("cannot analyse graph '" + g.name() + "': value '" + v.name() + "' has the type "
                        + v.type() + "; bind its symbols and resolve it first (Passes.resolve)");
            }
        }
        List<NodeCost> costs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long params = 0;
        long macs = 0;
        long flops = 0;
        long read = 0;
        long written = 0;
        long[] shares = new long[4];
        for (Node n : g.nodes()) {
            NodeCost c = cost(g, n);
            costs.add(c);
            long distinct = 0;
            for (String i : n.inputs()) {
                if (isParam(g, i) && seen.add(i)) {
                    distinct += g.type(i).toTensorType().numel();
                }
            }
            params += distinct;
            macs += c.macs();
            flops += c.flops();
            read += c.bytesRead();
            written += c.bytesWritten();
            if (c.kind() == LayerKind.CONV) {
                shares[0] += distinct;
                shares[2] += c.flops();
            } else if (c.kind() == LayerKind.FULLY_CONNECTED) {
                shares[1] += distinct;
                shares[3] += c.flops();
            }
        }
        NodeCost total = new NodeCost("total", "", LayerKind.OTHER, "", params, macs, flops, read, written);
        return new Analysis(g.name(), costs, total, shares);
    }

    private static boolean isParam(Graph g, String v) {
        return !v.isEmpty() && g.constant(v) != null && g.type(v).dtype() != DType.I64;
    }

    /** The cost of one node of a graph with static types. */
    public static NodeCost cost(Graph g, Node n) {
        List<TensorType> in = new ArrayList<>();
        for (String i : n.inputs()) {
            in.add(i.isEmpty() ? null : g.type(i).toTensorType());
        }
        TensorType out = g.type(n.outputs().get(0)).toTensorType();
        long params = 0;
        long read = 0;
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) != null) {
                read += in.get(i).byteSize();
                if (isParam(g, n.inputs().get(i))) {
                    params += in.get(i).numel();
                }
            }
        }
        long written = 0;
        for (String o : n.outputs()) {
            written += g.type(o).toTensorType().byteSize();
        }
        Op op = n.kernel();
        if (op instanceof Reshape || op instanceof Identity) {
            read = 0;
            written = 0;
        }
        long macs = macs(op, in, out);
        long flops = flops(op, in, out, macs);
        LayerKind kind = kind(g, n, op);
        return new NodeCost(n.name(), n.op().name(), kind, out.toString(), params, macs, flops, read, written);
    }

    private static LayerKind kind(Graph g, Node n, Op op) {
        if (op instanceof Conv2d || op instanceof FusedConv || op instanceof ConvInteger || op instanceof QLinearConv) {
            return LayerKind.CONV;
        }
        if (op instanceof Gemm) {
            return LayerKind.FULLY_CONNECTED;
        }
        if (op instanceof MatMul || op instanceof MatMulInteger || op instanceof QLinearMatMul) {
            int w = op instanceof QLinearMatMul ? 3 : 1;
            return g.constant(n.inputs().get(w)) != null || g.constant(n.inputs().get(0)) != null
                    ? LayerKind.FULLY_CONNECTED : LayerKind.OTHER;
        }
        return LayerKind.OTHER;
    }

    private static long macs(Op op, List<TensorType> in, TensorType out) {
        if (op == null) {
            return 0;
        }
        return switch (op) {
            case Conv2d c -> convMacs(in.get(0), in.get(1), out);
            case FusedConv c -> convMacs(in.get(0), in.get(1), out);
            case ConvInteger c -> convMacs(in.get(0), in.get(1), out);
            case QLinearConv c -> convMacs(in.get(0), in.get(3), out);
            case Gemm gm -> out.numel() * (gm.transA() ? in.get(0).shape().dim(0) : in.get(0).shape().dim(1));
            case MatMul m -> out.numel() * in.get(0).shape().dim(-1);
            case MatMulInteger m -> out.numel() * in.get(0).shape().dim(-1);
            case QLinearMatMul m -> out.numel() * in.get(0).shape().dim(-1);
            case Attention a -> {
                Shape q = in.get(0).shape();
                Shape k = in.get(1).shape();
                Shape v = in.get(2).shape();
                yield (long) q.dim(0) * q.dim(1) * q.dim(2) * k.dim(2) * (q.dim(3) + v.dim(3));
            }
            default -> 0;
        };
    }

    private static long convMacs(TensorType x, TensorType w, TensorType out) {
        Shape ws = w.shape();
        return out.numel() * ws.dim(1) * ws.dim(2) * ws.dim(3);
    }

    private static long flops(Op op, List<TensorType> in, TensorType out, long macs) {
        if (op == null) {
            return 0;
        }
        long n = out.numel();
        boolean bias = in.size() > 2 && in.get(2) != null;
        return switch (op) {
            case Conv2d c -> 2 * macs + (bias ? n : 0);
            case FusedConv c -> 2 * macs + (in.size() - (c.residual() ? 1 : 0) > 2 ? n : 0) + (c.residual() ? 2 * n : n);
            case ConvInteger c -> 2 * macs;
            case QLinearConv c -> 2 * macs + 2 * n;
            case Gemm gm -> 2 * macs + (bias ? n : 0);
            case MatMul m -> 2 * macs;
            case MatMulInteger m -> 2 * macs;
            case QLinearMatMul m -> 2 * macs + 2 * n;
            case Attention a -> {
                Shape q = in.get(0).shape();
                long scores = (long) q.dim(0) * q.dim(1) * q.dim(2) * in.get(1).shape().dim(2);
                yield 2 * macs + 4 * scores;
            }
            case Pool2d p -> n * p.kernelH() * p.kernelW();
            case GlobalAveragePool p -> in.get(0).numel();
            case ReduceMean r -> in.get(0).numel();
            case BatchNorm b -> 2 * n;
            case LayerNorm l -> 5 * n;
            case Lrn l -> n * (2L * l.size() + 3);
            case Softmax s -> 3 * n;
            case Binary b -> n;
            case Unary u -> n;
            case Sum s -> n * Math.max(1, in.size() - 1);
            case QuantizeLinear q -> 2 * n;
            case DequantizeLinear d -> 2 * n;
            case Cast c -> 0;
            default -> 0;
        };
    }

    public String graphName() {
        return graph;
    }

    /** Per node, in topological order. */
    public List<NodeCost> nodes() {
        return nodes;
    }

    /** Sums over the graph (parameters counted once per constant). */
    public NodeCost total() {
        return total;
    }

    /** Parameters of convolution layers. */
    public long convParams() {
        return convParams;
    }

    /** Parameters of fully connected layers. */
    public long fcParams() {
        return fcParams;
    }

    /** FLOPs of convolution layers. */
    public long convFlops() {
        return convFlops;
    }

    /** FLOPs of fully connected layers. */
    public long fcFlops() {
        return fcFlops;
    }

    /** The per-layer table and totals, as {@code accel analyze} prints them. */
    public String table() {
        return AnalysisTable.format(this);
    }
}
