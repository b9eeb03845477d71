package dev.accel.cli;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A pre-norm transformer encoder block written in code with seeded random weights, float32:
 * LayerNorm, Q/K/V projections (MatMul + bias Add), Reshape + Transpose to heads, Attention,
 * Transpose + Reshape back, output projection, residual Add, LayerNorm, an MLP (width x4) with
 * Gelu, residual Add. Input {@code x: [1, seq, width]}, output {@code y: [1, seq, width]}. Weights
 * have standard deviation {@code 1 / sqrt(fan-in)}, so activations stay near unit size and float16
 * does not overflow.
 */
final class DemoTransformer {
    private final GraphBuilder b = new GraphBuilder("encoder-block");
    private final SplittableRandom random;

    private DemoTransformer(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * Builds the block.
     *
     * @throws InvalidArgumentException when {@code width} is not a multiple of {@code heads}
     */
    static Graph build(int seq, int width, int heads, long seed) {
        if (heads < 1 || width % heads != 0) {
            throw new InvalidArgumentException("transformer width " + width + " must be a multiple of the head count " + heads);
        }
        return new DemoTransformer(seed).graph(seq, width, heads);
    }

    private Graph graph(int seq, int width, int heads) {
        int d = width / heads;
        String x = b.input("x", DType.F32, 1, seq, width);
        String n1 = layerNorm("ln1", x, width);
        String q = toHeads(linear("q", n1, width, width), seq, heads, d);
        String k = toHeads(linear("k", n1, width, width), seq, heads, d);
        String v = toHeads(linear("v", n1, width, width), seq, heads, d);
        String a = b.op(Attention.standard(), q, k, v);
        a = b.op(new Transpose(List.of(0, 2, 1, 3)), a);
        a = b.op(new Reshape(Shape.of(1, seq, width)), a);
        String r1 = b.op(new Binary(Binary.Kind.ADD), x, linear("proj", a, width, width));
        String n2 = layerNorm("ln2", r1, width);
        String h = b.op(Unary.of(Unary.Kind.GELU), linear("mlp.up", n2, width, 4 * width));
        String y = b.op(new Binary(Binary.Kind.ADD), r1, linear("mlp.down", h, 4 * width, width));
        b.output(y);
        return b.build();
    }

    private String toHeads(String t, int seq, int heads, int d) {
        String r = b.op(new Reshape(Shape.of(1, seq, heads, d)), t);
        return b.op(new Transpose(List.of(0, 2, 1, 3)), r);
    }

    private String linear(String name, String in, int fanIn, int fanOut) {
        double std = 1 / Math.sqrt(fanIn);
        String w = b.constant(name + ".W", gaussian(Shape.of(fanIn, fanOut), std, 0));
        String bias = b.constant(name + ".B", gaussian(Shape.of(fanOut), 0.02, 0));
        return b.op(new Binary(Binary.Kind.ADD), b.op(new MatMul(), in, w), bias);
    }

    private String layerNorm(String name, String in, int width) {
        String gamma = b.constant(name + ".scale", gaussian(Shape.of(width), 0.1, 1));
        String beta = b.constant(name + ".B", gaussian(Shape.of(width), 0.05, 0));
        return b.op(new LayerNorm(-1, 1e-5f), in, gamma, beta);
    }

    private Constant gaussian(Shape shape, double std, double mean) {
        double[] v = new double[Math.toIntExact(shape.numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + std * random.nextGaussian();
        }
        return Constant.ofDoubles(DType.F32, shape, v);
    }
}
