package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * General matrix multiply, ONNX Gemm: {@code Y = alpha * op(A) * op(B) + beta * C}. Inputs: A 2-D
 * ({@code [M, K]}, or {@code [K, M]} when {@code transA}), B 2-D ({@code [K, N]}, or {@code [N, K]}
 * when {@code transB}), optional C broadcastable (unidirectionally) to {@code [M, N]}. One float
 * dtype throughout. Output {@code [M, N]}.
 */
public record Gemm(float alpha, float beta, boolean transA, boolean transB) implements Op {
    /** alpha = beta = 1, no transposes. */
    public static Gemm plain() {
        return new Gemm(1f, 1f, false, false);
    }

    @Override
    public String name() {
        return "Gemm";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 3);
        TensorType a = in.get(0);
        TensorType b = in.get(1);
        OpChecks.floatType(name(), "A", a);
        OpChecks.rank(name(), "A", a, 2);
        OpChecks.rank(name(), "B", b, 2);
        OpChecks.sameDType(name(), "B", b, a);
        int m = transA ? a.shape().dim(1) : a.shape().dim(0);
        int ka = transA ? a.shape().dim(0) : a.shape().dim(1);
        int kb = transB ? b.shape().dim(1) : b.shape().dim(0);
        int n = transB ? b.shape().dim(0) : b.shape().dim(1);
        if (ka != kb) {
            throw new InvalidArgumentException("Gemm: inner dimensions differ: A is " + a + (transA ? " (transposed)" : "")
                    + ", B is " + b + (transB ? " (transposed)" : "") + "; K = " + ka + " vs " + kb);
        }
        Shape out = Shape.of(m, n);
        if (in.size() == 3) {
            TensorType c = in.get(2);
            OpChecks.sameDType(name(), "C", c, a);
            OpChecks.broadcastsTo(name(), "C", c, out);
        }
        return List.of(new TensorType(a.dtype(), out));
    }
}
