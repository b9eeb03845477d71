package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX MaxPool and AveragePool over NCHW. Input X {@code [N, C, H, W]}, float. Output
 * {@code [N, C, oH, oW]}, {@code oH = floor-or-ceil((H + padTop + padBottom - dilationH * (kH - 1) - 1) / strideH) + 1};
 * with {@code ceilMode}, a last window that would start wholly inside the bottom (right) padding
 * is dropped, as ONNX Runtime and PyTorch do. Max pooling ignores padded positions. Average pooling
 * divides by the window's count of real input elements, or, with {@code countIncludePad}, by the
 * count of elements inside the padded input (positions past the explicit padding, reachable only in
 * ceil mode, never count). A window with no real input element gives {@code -inf} for max and NaN
 * for average (0 when padding counts).
 */
public record Pool2d(PoolKind kind, int kernelH, int kernelW, int strideH, int strideW,
                     int padTop, int padLeft, int padBottom, int padRight,
                     int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad) implements Op {

    /** Which reduction a pooling window applies. */
    public enum PoolKind { MAX, AVERAGE }

    public Pool2d {
        if (kind == null) {
            throw new InvalidArgumentException("Pool2d: kind is null");
        }
        String op = kind == PoolKind.MAX ? "MaxPool" : "AveragePool";
        OpChecks.positive(op, "kernelH", kernelH);
        OpChecks.positive(op, "kernelW", kernelW);
        OpChecks.positive(op, "strideH", strideH);
        OpChecks.positive(op, "strideW", strideW);
        OpChecks.nonNegative(op, "padTop", padTop);
        OpChecks.nonNegative(op, "padLeft", padLeft);
        OpChecks.nonNegative(op, "padBottom", padBottom);
        OpChecks.nonNegative(op, "padRight", padRight);
        OpChecks.positive(op, "dilationH", dilationH);
        OpChecks.positive(op, "dilationW", dilationW);
        if (padTop >= kernelH || padBottom >= kernelH || padLeft >= kernelW || padRight >= kernelW) {
            throw new InvalidArgumentException(op + ": padding " + List.of(padTop, padLeft, padBottom, padRight)
                    + " must be smaller than the kernel " + kernelH + "x" + kernelW);
        }
    }

    /** Square kernel, equal stride, symmetric padding, floor mode, padding not counted. */
    public static Pool2d max(int kernel, int stride, int pad) {
        return new Pool2d(PoolKind.MAX, kernel, kernel, stride, stride, pad, pad, pad, pad, 1, 1, false, false);
    }

    /** Square kernel, equal stride, symmetric padding, floor mode. */
    public static Pool2d average(int kernel, int stride, int pad, boolean countIncludePad) {
        return new Pool2d(PoolKind.AVERAGE, kernel, kernel, stride, stride, pad, pad, pad, pad, 1, 1, false,
                countIncludePad);
    }

    @Override
    public String name() {
        return kind == PoolKind.MAX ? "MaxPool" : "AveragePool";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "X", x);
        OpChecks.rank(name(), "X", x, 4);
        int oh = outDim(x.shape().dim(2), kernelH, strideH, padTop, padBottom, dilationH, "height");
        int ow = outDim(x.shape().dim(3), kernelW, strideW, padLeft, padRight, dilationW, "width");
        return List.of(new TensorType(x.dtype(), Shape.of(x.shape().dim(0), x.shape().dim(1), oh, ow)));
    }

    private int outDim(int size, int k, int stride, int p0, int p1, int dilation, String axis) {
        int span = dilation * (k - 1) + 1;
        int padded = size + p0 + p1;
        if (padded < span) {
            throw new InvalidArgumentException(name() + ": padded input " + axis + " " + padded
                    + " is smaller than the window's span " + span);
        }
        int out;
        if (ceilMode) {
            out = Math.ceilDiv(padded - span, stride) + 1;
            if ((out - 1) * stride >= size + p0) {
                out--;
            }
        } else {
            out = (padded - span) / stride + 1;
        }
        return out;
    }
}
