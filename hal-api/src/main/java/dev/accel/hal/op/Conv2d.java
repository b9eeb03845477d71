package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * 2-D convolution (cross-correlation, as ONNX Conv) over NCHW. Inputs: X {@code [N, C, H, W]},
 * W {@code [M, C / groups, kH, kW]}, optional bias B {@code [M]}; one float dtype. Output
 * {@code [N, M, oH, oW]} with {@code oH = (H + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH + 1}
 * (floor), likewise oW. Padding is explicit and may be asymmetric (ONNX auto_pad is resolved by the
 * importer). {@code groups == C == M} is depthwise convolution.
 */
public record Conv2d(int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight,
                     int dilationH, int dilationW, int groups) implements Op {
    public Conv2d {
        OpChecks.positive("Conv", "strideH", strideH);
        OpChecks.positive("Conv", "strideW", strideW);
        OpChecks.nonNegative("Conv", "padTop", padTop);
        OpChecks.nonNegative("Conv", "padLeft", padLeft);
        OpChecks.nonNegative("Conv", "padBottom", padBottom);
        OpChecks.nonNegative("Conv", "padRight", padRight);
        OpChecks.positive("Conv", "dilationH", dilationH);
        OpChecks.positive("Conv", "dilationW", dilationW);
        OpChecks.positive("Conv", "groups", groups);
    }

    /** Stride 1, no padding, no dilation, one group. */
    public static Conv2d simple() {
        return new Conv2d(1, 1, 0, 0, 0, 0, 1, 1, 1);
    }

    /** Equal stride and symmetric padding on both axes, no dilation. */
    public static Conv2d of(int stride, int pad, int groups) {
        return new Conv2d(stride, stride, pad, pad, pad, pad, 1, 1, groups);
    }

    @Override
    public String name() {
        return "Conv";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 3);
        TensorType x = in.get(0);
        TensorType w = in.get(1);
        OpChecks.floatType(name(), "X", x);
        OpChecks.sameDType(name(), "W", w, x);
        if (in.size() == 3) {
            OpChecks.sameDType(name(), "B", in.get(2), x);
        }
        return List.of(new TensorType(x.dtype(), outputShape(name(), x, w, in.size() == 3 ? in.get(2) : null)));
    }

    /** Output shape for X, W and optional bias of this geometry; shared with the quantized convolutions. */
    dev.accel.hal.Shape outputShape(String op, TensorType x, TensorType w, TensorType bias) {
        OpChecks.rank(op, "X", x, 4);
        OpChecks.rank(op, "W", w, 4);
        int n = x.shape().dim(0);
        int c = x.shape().dim(1);
        int m = w.shape().dim(0);
        if (c % groups != 0 || m % groups != 0) {
            throw new InvalidArgumentException(op + ": input channels " + c + " and output channels " + m
                    + " must both be divisible by groups = " + groups);
        }
        if (w.shape().dim(1) != c / groups) {
            throw new InvalidArgumentException(op + ": W is " + w + ", its dimension 1 must be C / groups = " + c + " / "
                    + groups + " = " + (c / groups));
        }
        if (bias != null && !(bias.rank() == 1 && bias.shape().dim(0) == m)) {
            throw new InvalidArgumentException(op + ": bias is " + bias + ", requires shape [" + m + "]");
        }
        int oh = outDim(op, "height", x.shape().dim(2), w.shape().dim(2), strideH, padTop, padBottom, dilationH);
        int ow = outDim(op, "width", x.shape().dim(3), w.shape().dim(3), strideW, padLeft, padRight, dilationW);
        return dev.accel.hal.Shape.of(n, m, oh, ow);
    }

    static int outDim(String op, String axis, int size, int k, int stride, int p0, int p1, int dilation) {
        int span = dilation * (k - 1) + 1;
        int padded = size + p0 + p1;
        if (padded < span) {
            throw new InvalidArgumentException(op + ": padded input " + axis + " " + padded + " is smaller than the kernel's span "
                    + span + " (kernel " + k + ", dilation " + dilation + ")");
        }
        return (padded - span) / stride + 1;
    }
}
