package dev.accel.graph;

import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Conv2d;
import java.util.List;

/**
 * Folds an inference BatchNormalization into the convolution feeding it: with
 * {@code k = scale / sqrt(var + epsilon)} per output channel, {@code W' = W * k} and
 * {@code b' = (b - mean) * k + B}. Applies when the convolution's weights, bias (if any) and the
 * normalisation's four parameters are constant and the convolution's output is read by the
 * normalisation alone. The convolution takes over the normalisation's output name. Splat
 * parameters give splat results, so constant-weight models stay unallocated.
 */
public final class BatchNormFolding implements GraphPass {
    @Override
    public String name() {
        return "batchnorm-folding";
    }

    @Override
    public Graph apply(Graph g) {
        GraphBuilder b = null;
        for (Node bn : g.nodes()) {
            if (!(bn.kernel() instanceof BatchNorm norm)) {
                continue;
            }
            var conv = g.producer(bn.inputs().get(0));
            if (conv.isEmpty() || !(conv.get().kernel() instanceof Conv2d)
                    || Patterns.soleConsumer(g, bn.inputs().get(0)).isEmpty()) {
                continue;
            }
            Node c = conv.get();
            Constant w = g.constant(c.inputs().get(1));
            String biasName = c.inputs().size() > 2 ? c.inputs().get(2) : "";
            Constant bias = g.constant(biasName);
            if (w == null || (!biasName.isEmpty() && bias == null)) {
                continue;
            }
            Constant[] p = new Constant[4];
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                p[i] = g.constant(bn.inputs().get(i + 1));
                ok &= p[i] != null;
            }
            if (!ok) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            Constant[] folded = fold(w, bias, p, norm.epsilon());
            String wn = b.constantNamed(c.inputs().get(1) + "_bnfolded", folded[0]);
            String bnName = b.constantNamed(c.name() + "_bias_bnfolded", folded[1]);
            b.removeNode(bn.name());
            Node nc = new Node(c.name(), c.op(), List.of(c.inputs().get(0), wn, bnName), bn.outputs(), c.annotations())
                    .annotated("folded.batchnorm", bn.name());
            b.replaceNode(nc);
        }
        return b == null ? g : new DeadNodeElimination().apply(b.build());
    }

    /** The folded weights and bias. */
    static Constant[] fold(Constant w, Constant bias, Constant[] p, float eps) {
        TensorType wt = w.type();
        int m = wt.shape().dim(0);
        TensorType bt = new TensorType(wt.dtype(), Shape.of(m));
        boolean splat = w.isSplat() && (bias == null || bias.isSplat());
        for (Constant c : p) {
            splat &= c.isSplat();
        }
        if (splat) {
            double k = p[0].splatValue() / Math.sqrt(p[3].splatValue() + eps);
            double b0 = bias == null ? 0 : bias.splatValue();
            return new Constant[] {Constant.splat(wt, w.splatValue() * k), Constant.splat(bt, (b0 - p[2].splatValue()) * k + p[1].splatValue())};
        }
        double[] k = new double[m];
        for (int i = 0; i < m; i++) {
            k[i] = p[0].getDouble(i) / Math.sqrt(p[3].getDouble(i) + eps);
        }
        long per = wt.numel() / Math.max(1, m);
        Constant nw = Constant.build(wt, t -> {
            for (long i = 0; i < wt.numel(); i++) {
                t.setDouble(i, w.getDouble(i) * k[(int) (i / per)]);
            }
        });
        Constant nb = Constant.build(bt, t -> {
            for (int i = 0; i < m; i++) {
                double b0 = bias == null ? 0 : bias.getDouble(i);
                t.setDouble(i, (b0 - p[2].getDouble(i)) * k[i] + p[1].getDouble(i));
            }
        });
        return new Constant[] {nw, nb};
    }
}
