package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;
import static dev.accel.backend.cpu.kernels.Vec.load;
import static dev.accel.backend.cpu.kernels.Vec.store;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.op.Unary;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Unary elementwise kernels on float32. Each kind has its own vector loop in its own method, so
 * every Vector API operation in it is a compile-time constant for the JIT and each loop is compiled
 * on its own (one method holding every loop grows past the JIT's inlining budget, and the math
 * intrinsics then fall back to scalar code). The few elements past the last whole vector go
 * through the scalar function.
 */
final class UnaryKernels {
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_C = 0.044715f;
    private static final float SIXTH = 1f / 6f;

    private UnaryKernels() {
    }

    static CpuOp compile(Unary u, long n, boolean scalar) {
        Unary.Kind k = u.kind();
        float a = u.alpha();
        float b = u.beta();
        if (scalar) {
            return (in, out) -> {
                for (long i = 0; i < n; i++) {
                    Vec.set(out[0], i, apply(k, a, b, Vec.get(in[0], i)));
                }
            };
        }
        return (in, out) -> Vec.forBlocks(n, (from, to) -> vector(k, a, b, in[0], out[0], from, to));
    }

    /** The scalar function: the reference for the vector loops and their tail. */
    static float apply(Unary.Kind k, float alpha, float beta, float x) {
        return switch (k) {
            case RELU -> Math.max(x, 0f);
            case LEAKY_RELU -> x < 0f ? alpha * x : x;
            case SIGMOID -> 1f / (1f + (float) Math.exp(-x));
            case TANH -> (float) Math.tanh(x);
            case GELU -> 0.5f * x * (1f + Erf.erf(x * SQRT_HALF));
            case GELU_TANH -> 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)));
            case ERF -> Erf.erf(x);
            case SQRT -> (float) Math.sqrt(x);
            case EXP -> (float) Math.exp(x);
            case CLIP -> Math.min(Math.max(x, alpha), beta);
            case HARD_SIGMOID -> Math.max(0f, Math.min(1f, alpha * x + beta));
            case HARD_SWISH -> x * Math.max(0f, Math.min(1f, x * SIXTH + 0.5f));
        };
    }

    private static void vector(Unary.Kind k, float alpha, float beta, MemorySegment x, MemorySegment y, long from,
            long to) {
        long ub = from + F.loopBound(to - from);
        switch (k) {
            case RELU -> relu(x, y, from, ub);
            case LEAKY_RELU -> leakyRelu(x, y, from, ub, alpha);
            case SIGMOID -> sigmoidLoop(x, y, from, ub);
            case TANH -> tanh(x, y, from, ub);
            case GELU -> geluLoop(x, y, from, ub);
            case GELU_TANH -> geluTanhLoop(x, y, from, ub);
            case ERF -> erf(x, y, from, ub);
            case SQRT -> sqrt(x, y, from, ub);
            case EXP -> exp(x, y, from, ub);
            case CLIP -> clip(x, y, from, ub, alpha, beta);
            case HARD_SIGMOID -> hardSigmoid(x, y, from, ub, alpha, beta);
            case HARD_SWISH -> hardSwish(x, y, from, ub);
        }
        for (long i = ub; i < to; i++) {
            Vec.set(y, i, apply(k, alpha, beta, Vec.get(x, i)));
        }
    }

    private static void relu(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).max(0f), y, i);
        }
    }

    private static void leakyRelu(MemorySegment x, MemorySegment y, long from, long ub, float alpha) {
        for (long i = from; i < ub; i += L) {
            FloatVector v = load(x, i);
            store(v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f)), y, i);
        }
    }

    private static void sigmoidLoop(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(sigmoid(load(x, i)), y, i);
        }
    }

    private static void tanh(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).lanewise(VectorOperators.TANH), y, i);
        }
    }

    private static void geluLoop(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(gelu(load(x, i)), y, i);
        }
    }

    private static void geluTanhLoop(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(geluTanh(load(x, i)), y, i);
        }
    }

    private static void erf(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(Erf.erf(load(x, i)), y, i);
        }
    }

    private static void sqrt(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).sqrt(), y, i);
        }
    }

    private static void exp(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).lanewise(VectorOperators.EXP), y, i);
        }
    }

    private static void clip(MemorySegment x, MemorySegment y, long from, long ub, float alpha, float beta) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).max(alpha).min(beta), y, i);
        }
    }

    private static void hardSigmoid(MemorySegment x, MemorySegment y, long from, long ub, float alpha, float beta) {
        for (long i = from; i < ub; i += L) {
            store(load(x, i).mul(alpha).add(beta).min(1f).max(0f), y, i);
        }
    }

    private static void hardSwish(MemorySegment x, MemorySegment y, long from, long ub) {
        for (long i = from; i < ub; i += L) {
            FloatVector v = load(x, i);
            store(v.mul(v.mul(SIXTH).add(0.5f).min(1f).max(0f)), y, i);
        }
    }

    static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.div(one.add(v.neg().lanewise(VectorOperators.EXP)));
    }

    private static FloatVector gelu(FloatVector v) {
        FloatVector e = Erf.erf(v.mul(SQRT_HALF));
        return v.mul(0.5f).mul(e.add(1f));
    }

    private static FloatVector geluTanh(FloatVector v) {
        FloatVector inner = v.mul(GELU_C).mul(v).mul(v).add(v).mul(SQRT_2_OVER_PI);
        return v.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f));
    }
}
