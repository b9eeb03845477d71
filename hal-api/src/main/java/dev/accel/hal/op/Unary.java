package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * A unary elementwise op on a float tensor; the output has the input's type. Parameters, where a
 * kind takes them (defaults are ONNX's):
 * <ul>
 *   <li>{@code LEAKY_RELU}: alpha, the negative slope (0.01);</li>
 *   <li>{@code CLIP}: alpha = min, beta = max (use infinities for no bound);</li>
 *   <li>{@code HARD_SIGMOID}: {@code max(0, min(1, alpha * x + beta))} (0.2, 0.5);</li>
 *   <li>{@code HARD_SWISH}: {@code x * max(0, min(1, x / 6 + 0.5))};</li>
 *   <li>{@code GELU}: {@code 0.5 x (1 + erf(x / sqrt 2))}; {@code GELU_TANH}: the tanh
 *       approximation {@code 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))}.</li>
 * </ul>
 */
public record Unary(Kind kind, float alpha, float beta) implements Op {
    /** The elementwise function. */
    public enum Kind {
        RELU("Relu"), LEAKY_RELU("LeakyRelu"), SIGMOID("Sigmoid"), TANH("Tanh"), GELU("Gelu"),
        GELU_TANH("Gelu"), ERF("Erf"), SQRT("Sqrt"), EXP("Exp"), CLIP("Clip"), HARD_SIGMOID("HardSigmoid"),
        HARD_SWISH("HardSwish");

        private final String onnxName;

        Kind(String onnxName) {
            this.onnxName = onnxName;
        }

        /** The ONNX operator name. */
        public String onnxName() {
            return onnxName;
        }
    }

    public Unary {
        if (kind == null) {
            throw new InvalidArgumentException("Unary: kind is null");
        }
        if (kind == Kind.CLIP && alpha > beta) {
            throw new InvalidArgumentException("Clip: min " + alpha + " is greater than max " + beta);
        }
    }

    /** A kind without parameters. */
    public static Unary of(Kind kind) {
        return switch (kind) {
            case LEAKY_RELU -> leakyRelu(0.01f);
            case HARD_SIGMOID -> hardSigmoid(0.2f, 0.5f);
            case CLIP -> clip(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            default -> new Unary(kind, 0f, 0f);
        };
    }

    public static Unary leakyRelu(float alpha) {
        return new Unary(Kind.LEAKY_RELU, alpha, 0f);
    }

    public static Unary clip(float min, float max) {
        return new Unary(Kind.CLIP, min, max);
    }

    public static Unary hardSigmoid(float alpha, float beta) {
        return new Unary(Kind.HARD_SIGMOID, alpha, beta);
    }

    @Override
    public String name() {
        return kind.onnxName();
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        OpChecks.floatType(name(), "X", in.get(0));
        return List.of(in.get(0));
    }
}
