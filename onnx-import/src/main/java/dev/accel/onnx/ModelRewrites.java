package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.graph.Value;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Softmax;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rewrites of whole models for numerical checks: seeded random weights (the light models' weights
 * are constants, which makes their outputs uninformative) and the logits before a final Softmax.
 */
public final class ModelRewrites {
    private ModelRewrites() {
    }

    /**
     * The graph with every float32 weight replaced by seeded random values that keep activations
     * of a deep network in range: convolution and fully connected weights uniform in
     * {@code +-sqrt(6 / fan_in)} (He), biases in {@code +-0.1}, BatchNormalization scale and
     * variance in {@code [0.5, 1.5]} and shift and mean in {@code +-0.1}, PRelu slopes in
     * {@code [0, 0.5]}. Constants with other roles (shapes, clip bounds) are kept. Same seed, same
     * weights.
     */
    public static Graph randomWeights(Graph g, long seed) {
        Map<String, Role> roles = new HashMap<>();
        for (Node n : g.nodes()) {
            Op op = n.kernel();
            for (int i = 0; i < n.inputs().size(); i++) {
                Role r = role(op, i);
                String v = n.inputs().get(i);
                if (r != null && !v.isEmpty() && g.constant(v) != null && g.type(v).dtype() == DType.F32) {
                    roles.putIfAbsent(v, r);
                }
            }
        }
        GraphBuilder b = g.toBuilder();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Value v : g.constants()) {
            Role r = roles.get(v.name());
            if (r == null) {
                continue;
            }
            TensorType t = v.constant().type();
            long fanIn = t.rank() <= 1 ? t.numel() : t.numel() / t.shape().dim(0);
            double a = Math.sqrt(6.0 / Math.max(1, fanIn));
            SplittableRandom own = rnd.split();
            b.replaceConstant(v.name(), Constant.build(t, h -> {
                for (long i = 0; i < t.numel(); i++) {
                    double u = own.nextDouble();
                    h.setDouble(i, switch (r) {
                        case WEIGHT -> (2 * u - 1) * a;
                        case BIAS, SHIFT -> (2 * u - 1) * 0.1;
                        case SCALE -> 0.5 + u;
                        case SLOPE -> 0.5 * u;
                    });
                }
            }));
        }
        return b.build();
    }

    /** What a constant input is for. */
    private enum Role { WEIGHT, BIAS, SCALE, SHIFT, SLOPE }

    private static Role role(Op op, int i) {
        return switch (op) {
            case Conv2d c -> i == 1 ? Role.WEIGHT : i == 2 ? Role.BIAS : null;
            case Gemm gm -> i == 0 || i == 1 ? Role.WEIGHT : Role.BIAS;
            case MatMul m -> Role.WEIGHT;
            case BatchNorm bn -> i == 1 || i == 4 ? Role.SCALE : i == 2 || i == 3 ? Role.SHIFT : null;
            case Binary bin when bin.kind() == Binary.Kind.PRELU && i == 1 -> Role.SLOPE;
            case Binary bin when (bin.kind() == Binary.Kind.ADD) && i == 1 -> Role.BIAS;
            case null, default -> null;
        };
    }

    /**
     * The graph whose outputs produced by a Softmax are replaced by the Softmax's input (the
     * logits), which compare across implementations far better than near-uniform probabilities.
     */
    public static Graph logits(Graph g) {
        GraphBuilder b = g.toBuilder();
        List<String> outs = g.outputs().stream().map(o -> g.producer(o)
                .filter(p -> p.kernel() instanceof Softmax).map(p -> p.inputs().get(0)).orElse(o)).toList();
        b.setOutputs(outs);
        return new dev.accel.graph.DeadNodeElimination().apply(b.build());
    }
}
