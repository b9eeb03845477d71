package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * Scaled dot-product attention over batched heads:
 * {@code Y = softmax(scale * Q K^T + mask) V}. Inputs: Q {@code [B, H, Sq, D]}, K {@code [B, H, Sk, D]},
 * V {@code [B, H, Sk, Dv]}, one float dtype, and an optional mask broadcastable to
 * {@code [B, H, Sq, Sk]}: additive (same float dtype) or BOOL (true keeps a position, false removes
 * it). {@code scale} NaN means {@code 1 / sqrt(D)}. With {@code causal}, key {@code j} is masked
 * for query {@code i} when {@code j > i} (the upper-left alignment ONNX Attention uses). A query row
 * whose every key is masked is the softmax of all {@code -inf}, which is NaN, as in ONNX's
 * reference; with no keys at all ({@code Sk = 0}) the output is the empty sum, 0. Output
 * {@code [B, H, Sq, Dv]}.
 */
public record Attention(float scale, boolean causal) implements Op {
    /** Default scale (1 / sqrt(D)), no causal mask. */
    public static Attention standard() {
        return new Attention(Float.NaN, false);
    }

    @Override
    public String name() {
        return "Attention";
    }

    /** The scale applied for a head size {@code d}. */
    public double effectiveScale(int d) {
        return Float.isNaN(scale) ? 1.0 / Math.sqrt(d) : scale;
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 3, 4);
        TensorType q = in.get(0);
        TensorType k = in.get(1);
        TensorType v = in.get(2);
        OpChecks.floatType(name(), "Q", q);
        OpChecks.rank(name(), "Q", q, 4);
        OpChecks.rank(name(), "K", k, 4);
        OpChecks.rank(name(), "V", v, 4);
        OpChecks.sameDType(name(), "K", k, q);
        OpChecks.sameDType(name(), "V", v, q);
        int b = q.shape().dim(0);
        int h = q.shape().dim(1);
        int sq = q.shape().dim(2);
        int d = q.shape().dim(3);
        int sk = k.shape().dim(2);
        if (k.shape().dim(0) != b || k.shape().dim(1) != h || k.shape().dim(3) != d) {
            throw new InvalidArgumentException("Attention: K is " + k + ", requires [" + b + ", " + h + ", Sk, " + d + "] to match Q " + q);
        }
        if (v.shape().dim(0) != b || v.shape().dim(1) != h || v.shape().dim(2) != sk) {
            throw new InvalidArgumentException("Attention: V is " + v + ", requires [" + b + ", " + h + ", " + sk + ", Dv] to match K " + k);
        }
        if (in.size() == 4) {
            TensorType m = in.get(3);
            if (m.dtype() != q.dtype() && m.dtype() != DType.BOOL) {
                throw new InvalidArgumentException("Attention: mask is " + m + ", requires " + q.dtype().displayName() + " (additive) or bool");
            }
            Shape full = Shape.of(b, h, sq, sk);
            OpChecks.broadcastsTo(name(), "mask", m, full);
        }
        return List.of(new TensorType(q.dtype(), Shape.of(b, h, sq, v.shape().dim(3))));
    }
}
