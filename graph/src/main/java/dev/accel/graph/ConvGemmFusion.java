package dev.accel.graph;

import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Fuses the epilogue of convolutions and Gemms, in two steps.
 *
 * <p><b>Bias</b> (a real rewrite): {@code Add(Conv(x, W[, b]), K)} with a constant K that varies
 * only along the channel axis becomes {@code Conv(x, W, b + K)}; {@code Add(Gemm(A, B), K)} with a
 * constant K broadcastable to the output becomes {@code Gemm(A, B, K)} with beta = 1. The fused
 * node takes over the Add's output name.
 *
 * <p><b>Activation</b> (a mark, semantics unchanged): a Conv or Gemm whose output is read only by
 * a Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish or Gelu stays two nodes, both
 * annotated with {@value #GROUP} (the producer's name), and the producer with
 * {@value #ACTIVATION} (the activation's name). <b>Residual</b> (a mark too): a Conv read only by
 * the Add of a residual, whose sum only such an activation reads (ResNet's blocks end so), is
 * grouped with both, and also carries {@value #RESIDUAL} (the Add's name). The partitioner keeps a group on one device and,
 * where that device runs {@link dev.accel.hal.op.FusedConv} natively, turns a Conv's group into one
 * such node; elsewhere the two nodes run in sequence.
 */
public final class ConvGemmFusion implements GraphPass {
    /** Annotation naming the fusion group a node belongs to. */
    public static final String GROUP = "fusion.group";
    /** Annotation on the producer naming the activation fused after it. */
    public static final String ACTIVATION = "fusion.activation";
    /** Annotation on a Conv naming the residual Add between it and its activation. */
    public static final String RESIDUAL = "fusion.residual";

    private static final Set<Unary.Kind> FUSABLE = Set.of(Unary.Kind.RELU, Unary.Kind.LEAKY_RELU, Unary.Kind.CLIP,
            Unary.Kind.SIGMOID, Unary.Kind.TANH, Unary.Kind.HARD_SIGMOID, Unary.Kind.HARD_SWISH, Unary.Kind.GELU,
            Unary.Kind.GELU_TANH);

    @Override
    public String name() {
        return "conv-gemm-fusion";
    }

    @Override
    public Graph apply(Graph g) {
        return markResiduals(markActivations(new DeadNodeElimination().apply(fuseBias(g))));
    }

    private Graph fuseBias(Graph g) {
        GraphBuilder b = null;
        for (Node n : g.nodes()) {
            boolean conv = n.kernel() instanceof Conv2d;
            boolean gemm = n.kernel() instanceof Gemm gm && n.inputs().size() == 2;
            if (!(conv || gemm) || !Patterns.allStatic(g, n.outputs())) {
                continue;
            }
            String out = n.outputs().get(0);
            var add = Patterns.soleConsumer(g, out);
            if (add.isEmpty() || !(add.get().kernel() instanceof Binary bin) || bin.kind() != Binary.Kind.ADD) {
                continue;
            }
            Constant k = g.constant(Patterns.other(add.get(), out));
            if (k == null) {
                continue;
            }
            Shape os = g.type(out).toTensorType().shape();
            Constant bias = conv ? channelBias(n, g, k, os) : gemmBias(k, os);
            if (bias == null) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            String bn = b.constantNamed(n.name() + "_bias", bias);
            List<String> in = new ArrayList<>(n.inputs().subList(0, 2));
            in.add(bn);
            Operator op = conv ? n.op() : new KernelOp(new Gemm(((Gemm) n.kernel()).alpha(), 1f,
                    ((Gemm) n.kernel()).transA(), ((Gemm) n.kernel()).transB()));
            b.removeNode(add.get().name());
            b.replaceNode(new Node(n.name(), op, in, add.get().outputs(), n.annotations()).annotated("fused.add", add.get().name()));
        }
        return b == null ? g : b.build();
    }

    /** K as a [M] bias added to the convolution's existing one, or null when K is not per channel. */
    private static Constant channelBias(Node conv, Graph g, Constant k, Shape out) {
        Shape ks = k.type().shape();
        int m = out.dim(1);
        if (ks.rank() > 4 || k.type().dtype() != g.type(conv.outputs().get(0)).dtype()) {
            return null;
        }
        int off = 4 - ks.rank();
        for (int i = 0; i < ks.rank(); i++) {
            int axis = i + off;
            int d = ks.dim(i);
            if (d != 1 && axis != 1) {
                return null;
            }
            if (axis == 1 && d != m && d != 1) {
                return null;
            }
        }
        TensorType bt = new TensorType(k.type().dtype(), Shape.of(m));
        Constant old = conv.inputs().size() > 2 ? g.constant(conv.inputs().get(2)) : null;
        if (conv.inputs().size() > 2 && !conv.inputs().get(2).isEmpty() && old == null) {
            return null;
        }
        if ((old == null || old.isSplat()) && k.isSplat()) {
            return Constant.splat(bt, k.splatValue() + (old == null ? 0 : old.splatValue()));
        }
        boolean perChannel = k.numel() == m && m != 1;
        return Constant.build(bt, t -> {
            for (int i = 0; i < m; i++) {
                t.setDouble(i, k.getDouble(perChannel ? i : 0) + (old == null ? 0 : old.getDouble(i)));
            }
        });
    }

    private static Constant gemmBias(Constant k, Shape out) {
        Shape ks = k.type().shape();
        if (ks.rank() > 2 || !Shape.broadcast(ks, out).equals(out)) {
            return null;
        }
        return k;
    }

    /**
     * Marks {@code act(Conv(x) + z)}: a float Conv read only by a two-input Add (Binary or Sum) of a
     * residual z of the same type (no broadcasting, not a constant), whose sum only the activation
     * reads. The three share a group; the Conv carries {@value #ACTIVATION} and {@value #RESIDUAL}.
     * The Conv is moved after z's producer in the node order (it was only ever read by the Add), so
     * that a group never reads a value produced after its first node.
     */
    private Graph markResiduals(Graph g) {
        GraphBuilder b = null;
        // Nodes grouped by this pass so far (g's annotations do not show them): an Add joins one group.
        java.util.Set<String> grouped = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (!(n.kernel() instanceof Conv2d) || n.annotations().containsKey(GROUP) || n.outputs().size() != 1) {
                continue;
            }
            String out = n.outputs().get(0);
            var add = Patterns.soleConsumer(g, out);
            if (add.isEmpty() || add.get().inputs().size() != 2 || add.get().annotations().containsKey(GROUP)
                    || grouped.contains(add.get().name())
                    || !(add.get().kernel() instanceof Sum
                    || add.get().kernel() instanceof Binary bin && bin.kind() == Binary.Kind.ADD)) {
                continue;
            }
            String z = Patterns.other(add.get(), out);
            if (g.constant(z) != null || !g.type(z).equals(g.type(out)) || !g.type(out).isStatic()) {
                continue;
            }
            var act = Patterns.soleConsumer(g, add.get().outputs().get(0));
            if (act.isEmpty() || !(act.get().kernel() instanceof Unary u) || !FUSABLE.contains(u.kind())
                    || act.get().annotations().containsKey(GROUP)) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            // Removed and added again: the builder orders nodes by insertion where it may, so the Conv
            // now comes as late as its reader allows, after z's producer.
            b.removeNode(n.name());
            b.node(n.annotated(GROUP, n.name()).annotated(ACTIVATION, act.get().name()).annotated(RESIDUAL, add.get().name()));
            b.replaceNode(b.node(add.get().name()).annotated(GROUP, n.name()));
            b.replaceNode(b.node(act.get().name()).annotated(GROUP, n.name()));
            grouped.add(add.get().name());
        }
        return b == null ? g : b.build();
    }

    private Graph markActivations(Graph g) {
        GraphBuilder b = null;
        for (Node n : g.nodes()) {
            if (!(n.kernel() instanceof Conv2d || n.kernel() instanceof Gemm)) {
                continue;
            }
            var act = Patterns.soleConsumer(g, n.outputs().get(0));
            if (act.isEmpty() || !(act.get().kernel() instanceof Unary u) || !FUSABLE.contains(u.kind())) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            b.replaceNode(b.node(n.name()).annotated(GROUP, n.name()).annotated(ACTIVATION, act.get().name()));
            b.replaceNode(b.node(act.get().name()).annotated(GROUP, n.name()));
        }
        return b == null ? g : b.build();
    }
}
