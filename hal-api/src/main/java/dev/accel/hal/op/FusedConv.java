package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * A float convolution whose output goes through an elementwise activation in the same kernel:
 * {@code activation(Conv(X, W[, B]))}, with {@link Conv2d}'s inputs, output and checks. Not an ONNX
 * operator: the partitioner forms it from a Conv and the activation that alone reads its output,
 * on a device whose {@link dev.accel.hal.Capabilities} run it natively, so that the convolution's
 * output is not written and read back once more by a second kernel. A backend that does not know
 * it reports it unsupported; none may run the convolution alone.
 *
 * @param conv the convolution's geometry
 * @param activation the function applied to every output element; a kind of {@link #ACTIVATIONS}
 */
public record FusedConv(Conv2d conv, Unary activation) implements Op {
    /** The activations a convolution may carry. */
    public static final java.util.Set<Unary.Kind> ACTIVATIONS = java.util.Set.of(Unary.Kind.RELU, Unary.Kind.LEAKY_RELU,
            Unary.Kind.CLIP, Unary.Kind.SIGMOID, Unary.Kind.TANH, Unary.Kind.HARD_SIGMOID, Unary.Kind.HARD_SWISH,
            Unary.Kind.GELU, Unary.Kind.GELU_TANH);

    public FusedConv {
        if (conv == null || activation == null) {
            throw new InvalidArgumentException("FusedConv: needs a convolution and an activation, got " + conv + " and "
                    + activation);
        }
        if (!ACTIVATIONS.contains(activation.kind())) {
            throw new InvalidArgumentException("FusedConv: " + activation.kind().onnxName() + " is not an activation a "
                    + "convolution can carry; one of " + ACTIVATIONS + " is");
        }
    }

    @Override
    public String name() {
        return "FusedConv";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> inputs) {
        return conv.inferOutputs(inputs);
    }
}
