package dev.accel.cli;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.ValueType;
import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small MobileNet/ShuffleNet-style network written directly as a sequence of hal-api op specs,
 * with seeded random weights: Conv 3x3 stride 2 + BatchNorm + Relu, depthwise Conv 3x3 + Relu,
 * pointwise 1x1 Conv + Relu, a channel shuffle (Reshape + Transpose + Reshape),
 * GlobalAveragePool, Reshape, Gemm and Softmax. It stands in for a graph until the graph module
 * and the partitioner can carry a real model. Owns its constant tensors; {@link #close()} frees
 * them (idempotent).
 */
final class DemoNetwork implements AutoCloseable {
    /** Channels after the first convolution. */
    static final int STEM_CHANNELS = 16;
    /** Channels after the pointwise convolution; a multiple of {@link #SHUFFLE_GROUPS}. */
    static final int CHANNELS = 32;
    /** Groups of the channel shuffle. */
    static final int SHUFFLE_GROUPS = 4;
    /** Classes of the classifier. */
    static final int CLASSES = 10;

    /**
     * A tensor of the network: the input, a constant, or the output of a layer.
     *
     * @param name a short name for tables
     * @param type its type
     * @param constant the values of a constant, or null for the input and layer outputs
     */
    record Value(String name, TensorType type, HostTensor constant) {
    }

    /**
     * One op of the network.
     *
     * @param name the layer's name ("conv1")
     * @param spec the op with its input and output types
     * @param inputs indices into {@link #values()}, in the op's input order
     * @param output index into {@link #values()}
     */
    record Layer(String name, OpSpec spec, List<Integer> inputs, int output) {
    }

    private final List<Value> values = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();
    private final DType dtype;
    private final SplittableRandom random;
    private final int input;
    private final int output;

    private DemoNetwork(DType dtype, int batch, int size, long seed) {
        this.dtype = dtype;
        this.random = new SplittableRandom(seed);
        this.input = add("input", TensorType.of(dtype, batch, 3, size, size), null);
        int x = conv("conv1", input, Conv2d.of(2, 1, 1), STEM_CHANNELS, 3, 3, false);
        x = layer("bn1", new BatchNorm(1e-5f), x, batchNormParams("bn1", STEM_CHANNELS));
        x = layer("relu1", Unary.of(Unary.Kind.RELU), x);
        x = conv("dw2", x, Conv2d.of(1, 1, STEM_CHANNELS), STEM_CHANNELS, 3, 3, true);
        x = layer("relu2", Unary.of(Unary.Kind.RELU), x);
        x = conv("pw3", x, Conv2d.simple(), CHANNELS, 1, 1, true);
        x = layer("relu3", Unary.of(Unary.Kind.RELU), x);
        int[] d = values.get(x).type().shape().dims();
        int g = SHUFFLE_GROUPS;
        x = layer("shuffle.split", new Reshape(Shape.of(d[0], g, d[1] / g, d[2], d[3])), x);
        x = layer("shuffle.swap", new Transpose(List.of(0, 2, 1, 3, 4)), x);
        x = layer("shuffle.merge", new Reshape(Shape.of(d)), x);
        x = layer("pool", new GlobalAveragePool(), x);
        x = layer("flatten", new Reshape(Shape.of(d[0], d[1])), x);
        int w = constant("fc.W", TensorType.of(dtype, CLASSES, CHANNELS), Math.sqrt(1.0 / CHANNELS));
        int b = constant("fc.B", TensorType.of(dtype, CLASSES), 0.1);
        x = layer("fc", new Gemm(1f, 1f, false, true), x, w, b);
        this.output = layer("softmax", new Softmax(-1), x);
    }

    /**
     * Builds the network for inputs {@code [batch, 3, size, size]} in {@code dtype} (a float type),
     * weights drawn from a generator seeded with {@code seed}.
     */
    static DemoNetwork build(DType dtype, int batch, int size, long seed) {
        return new DemoNetwork(dtype, batch, size, seed);
    }

    /** A random input image batch in [-1, 1), from its own seed; the caller owns it. */
    HostTensor makeInput(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        HostTensor t = HostTensor.allocate(values.get(input).type());
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, r.nextDouble(-1, 1));
        }
        return t;
    }

    DType dtype() {
        return dtype;
    }

    List<Value> values() {
        return values;
    }

    List<Layer> layers() {
        return layers;
    }

    /** Index of the input value. */
    int input() {
        return input;
    }

    /** Index of the output value. */
    int output() {
        return output;
    }

    /**
     * The same network as a {@link Graph} for the partitioner: the input keeps its name, constants
     * are copied (the graph does not share this network's tensors), and each layer becomes a kernel
     * node whose output is named after the layer.
     */
    Graph toGraph() {
        GraphBuilder b = new GraphBuilder("mobilenet-style");
        String[] names = new String[values.size()];
        for (int i = 0; i < values.size(); i++) {
            Value v = values.get(i);
            if (i == input) {
                names[i] = b.input(v.name(), ValueType.of(v.type()));
            } else if (v.constant() != null) {
                names[i] = b.constant(v.name(), Constant.copyOf(v.constant()));
            }
        }
        for (Layer l : layers) {
            String[] in = l.inputs().stream().map(x -> names[x]).toArray(String[]::new);
            names[l.output()] = b.op(l.spec().op(), in);
        }
        b.output(names[output]);
        return b.build();
    }

    /** Elements of all constants. */
    long parameterCount() {
        return values.stream().filter(v -> v.constant() != null).mapToLong(v -> v.type().numel()).sum();
    }

    /** A short description of a layer's op for tables: "Conv 3x3 stride 2", "Conv 3x3 depthwise". */
    static String describe(OpSpec spec) {
        return switch (spec.op()) {
            case Conv2d c -> {
                int[] w = spec.inputs().get(1).shape().dims();
                int channels = spec.inputs().get(0).shape().dim(1);
                String s = "Conv " + w[2] + "x" + w[3];
                if (c.strideH() > 1 || c.strideW() > 1) {
                    s += " stride " + (c.strideH() == c.strideW() ? c.strideH() : c.strideH() + "x" + c.strideW());
                }
                if (c.groups() > 1) {
                    s += c.groups() == channels ? " depthwise" : " groups " + c.groups();
                }
                yield s;
            }
            case Transpose t -> "Transpose " + t.perm();
            case Softmax s -> "Softmax axis " + s.axis();
            case Gemm g -> "Gemm" + (g.transB() ? " B^T" : "") + (g.transA() ? " A^T" : "");
            default -> spec.op().name();
        };
    }

    private int conv(String name, int x, Conv2d geometry, int outChannels, int kh, int kw, boolean bias) {
        int inChannels = values.get(x).type().shape().dim(1);
        int perGroup = inChannels / geometry.groups();
        double std = Math.sqrt(2.0 / (perGroup * kh * kw));
        int w = constant(name + ".W", TensorType.of(dtype, outChannels, perGroup, kh, kw), std);
        if (!bias) {
            return layer(name, geometry, x, w);
        }
        int b = constant(name + ".B", TensorType.of(dtype, outChannels), 0.05);
        return layer(name, geometry, x, w, b);
    }

    private int[] batchNormParams(String name, int c) {
        int scale = constantOf(name + ".scale", c, () -> 1 + 0.1 * random.nextGaussian());
        int bias = constantOf(name + ".B", c, () -> 0.1 * random.nextGaussian());
        int mean = constantOf(name + ".mean", c, () -> 0.1 * random.nextGaussian());
        int var = constantOf(name + ".var", c, () -> 0.5 + random.nextDouble());
        return new int[] {scale, bias, mean, var};
    }

    private int constant(String name, TensorType type, double std) {
        HostTensor t = HostTensor.allocate(type);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, std * random.nextGaussian());
        }
        return add(name, type, t);
    }

    private int constantOf(String name, int n, java.util.function.DoubleSupplier gen) {
        HostTensor t = HostTensor.allocate(TensorType.of(dtype, n));
        for (int i = 0; i < n; i++) {
            t.setDouble(i, gen.getAsDouble());
        }
        return add(name, t.type(), t);
    }

    private int layer(String name, Op op, int x, int... more) {
        List<Integer> in = new ArrayList<>();
        in.add(x);
        for (int m : more) {
            in.add(m);
        }
        OpSpec spec = OpSpec.of(op, in.stream().map(i -> values.get(i).type()).toList());
        int out = add(name, spec.outputs().getFirst(), null);
        layers.add(new Layer(name, spec, List.copyOf(in), out));
        return out;
    }

    private int add(String name, TensorType type, HostTensor constant) {
        values.add(new Value(name, type, constant));
        return values.size() - 1;
    }

    @Override
    public void close() {
        for (Value v : values) {
            if (v.constant() != null) {
                v.constant().close();
            }
        }
    }
}
