package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * A float convolution whose output goes through an elementwise activation in the same kernel:
 * {@code activation(Conv(X, W[, B]))}, or with a residual {@code activation(Conv(X, W[, B]) + Z)},
 * with {@link Conv2d}'s inputs, then Z (a tensor of the output's type) when {@code residual}; the
 * output and checks are the Conv's. Not an ONNX operator: the partitioner forms it from a Conv, the
 * Add of a residual where there is one, and the activation, each alone reading the one before, on a
 * device whose {@link dev.accel.hal.Capabilities} run it natively, so that the intermediate
 * tensors are never written and read back by further kernels. A backend that does not know it
 * reports it unsupported; none may run the convolution alone.
 *
 * @param conv the convolution's geometry
 * @param activation the function applied to every output element; a kind of {@link #ACTIVATIONS}
 * @param residual whether the last input is a residual Z added before the activation
 */
public record FusedConv(Conv2d conv, Unary activation, boolean residual) implements Op {
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

    /** A Conv and its activation, no residual. */
    public FusedConv(Conv2d conv, Unary activation) {
        this(conv, activation, false);
    }

    @Override
    public String name() {
        return "FusedConv";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> inputs) {
        if (!residual) {
            return conv.inferOutputs(inputs);
        }
        OpChecks.count(name(), inputs, 3, 4);
        List<TensorType> out = conv.inferOutputs(inputs.subList(0, inputs.size() - 1));
        TensorType z = inputs.get(inputs.size() - 1);
        if (!z.equals(out.get(0))) {
            throw new InvalidArgumentException("FusedConv: the residual Z is " + z + "; it must have the output's type "
                    + out.get(0));
        }
        return out;
    }
}
