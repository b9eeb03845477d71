package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;
import static dev.accel.backend.cpu.kernels.Vec.load;
import static dev.accel.backend.cpu.kernels.Vec.store;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Binary;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Binary elementwise kernels (Add, Sub, Mul, Div, Pow, Max, Min, PRelu) and Sum, float32, with
 * numpy broadcasting through a {@link BroadcastPlan}. A run is vector-vector, vector-scalar or
 * scalar-vector (the scalar broadcast into a vector once per run), or one value filled. Each kind
 * has its own method holding its three loops, so that each stays a small compilation unit whose
 * Vector API calls the JIT inlines and intrinsifies (one method with every kind's loops outgrows
 * the inlining budget once several kinds have run, and then runs boxed, slower than scalar code).
 */
final class BinaryKernels {
    /** Run kinds: both inputs advance; only A; only B; neither (one value filled). */
    private static final int VV = 0;
    private static final int VS = 1;
    private static final int SV = 2;
    private static final int SS = 3;

    private BinaryKernels() {
    }

    static CpuOp compileBinary(Binary.Kind k, Shape a, Shape b, Shape out, boolean scalar) {
        BroadcastPlan plan = BroadcastPlan.of(out, a, b);
        if (scalar) {
            return (in, o) -> scalarPass(k, out, a, b, in[0], in[1], o[0]);
        }
        return (in, o) -> vectorPass(k, plan, in[0], in[1], o[0]);
    }

    /**
     * Sum: the first two inputs added into the output, then each further input added to it.
     * Summation runs left to right, so both twins round alike.
     */
    static CpuOp compileSum(Shape[] shapes, Shape out, boolean scalar) {
        int n = shapes.length;
        BroadcastPlan[] plans = new BroadcastPlan[n];
        if (n == 1) {
            plans[0] = BroadcastPlan.of(out, shapes[0], shapes[0]);
        } else {
            plans[1] = BroadcastPlan.of(out, shapes[0], shapes[1]);
            for (int i = 2; i < n; i++) {
                plans[i] = BroadcastPlan.of(out, out, shapes[i]);
            }
        }
        return (in, o) -> {
            if (n == 1) {
                MemorySegment.copy(in[0], 0, o[0], 0, o[0].byteSize());
                return;
            }
            if (scalar) {
                scalarPass(Binary.Kind.ADD, out, shapes[0], shapes[1], in[0], in[1], o[0]);
                for (int i = 2; i < n; i++) {
                    scalarPass(Binary.Kind.ADD, out, out, shapes[i], o[0], in[i], o[0]);
                }
            } else {
                vectorPass(Binary.Kind.ADD, plans[1], in[0], in[1], o[0]);
                for (int i = 2; i < n; i++) {
                    vectorPass(Binary.Kind.ADD, plans[i], o[0], in[i], o[0]);
                }
            }
        };
    }

    /** The scalar function. */
    static float apply(Binary.Kind k, float a, float b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case PRELU -> a < 0f ? b * a : a;
        };
    }

    /** The scalar twin: every output element's input indices from the broadcast strides. */
    private static void scalarPass(Binary.Kind k, Shape out, Shape sa, Shape sb, MemorySegment a, MemorySegment b,
            MemorySegment o) {
        long[] strideA = sa.broadcastStrides(out);
        long[] strideB = sb.broadcastStrides(out);
        int[] dims = out.dims();
        long n = out.numel();
        long[] idx = new long[dims.length];
        for (long i = 0; i < n; i++) {
            long ia = 0;
            long ib = 0;
            for (int d = 0; d < dims.length; d++) {
                ia += idx[d] * strideA[d];
                ib += idx[d] * strideB[d];
            }
            Vec.set(o, i, apply(k, Vec.get(a, ia), Vec.get(b, ib)));
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    private static void vectorPass(Binary.Kind k, BroadcastPlan plan, MemorySegment a, MemorySegment b, MemorySegment o) {
        int sa = plan.innerStride[0];
        int sb = plan.innerStride[1];
        int mode = sa == 1 && sb == 1 ? VV : sa == 1 ? VS : sb == 1 ? SV : SS;
        Vec.forBlocks(plan.numel, (from, to) -> plan.forRuns(from, to, (oo, off, len) -> {
            long ao = off[0];
            long bo = off[1];
            if (mode == SS) {
                fill(apply(k, Vec.get(a, ao), Vec.get(b, bo)), o, oo, len);
                return;
            }
            long ub = F.loopBound(len);
            switch (k) {
                case ADD -> add(mode, a, ao, b, bo, o, oo, ub);
                case SUB -> sub(mode, a, ao, b, bo, o, oo, ub);
                case MUL -> mul(mode, a, ao, b, bo, o, oo, ub);
                case DIV -> div(mode, a, ao, b, bo, o, oo, ub);
                case POW -> pow(mode, a, ao, b, bo, o, oo, ub);
                case MAX -> max(mode, a, ao, b, bo, o, oo, ub);
                case MIN -> min(mode, a, ao, b, bo, o, oo, ub);
                case PRELU -> prelu(mode, a, ao, b, bo, o, oo, ub);
            }
            for (long i = ub; i < len; i++) {
                Vec.set(o, oo + i, apply(k, Vec.get(a, ao + i * sa), Vec.get(b, bo + i * sb)));
            }
        }));
    }

    static void fill(float v, MemorySegment o, long oo, long len) {
        FloatVector fv = FloatVector.broadcast(F, v);
        long i = 0;
        for (long ub = F.loopBound(len); i < ub; i += L) {
            store(fv, o, oo + i);
        }
        for (; i < len; i++) {
            Vec.set(o, oo + i, v);
        }
    }

    private static FloatVector prelu(FloatVector x, FloatVector slope) {
        return x.blend(x.mul(slope), x.compare(VectorOperators.LT, 0f));
    }

    private static void add(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).add(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).add(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.add(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void sub(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).sub(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).sub(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.sub(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void mul(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).mul(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).mul(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.mul(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void div(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).div(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).div(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.div(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void pow(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).pow(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).pow(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.pow(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void max(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).max(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).max(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.max(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void min(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).min(load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(load(a, ao + i).min(vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(va.min(load(b, bo + i)), o, oo + i);
            }
        }
    }

    private static void prelu(int mode, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment o, long oo, long ub) {
        if (mode == VV) {
            for (long i = 0; i < ub; i += L) {
                store(prelu(load(a, ao + i), load(b, bo + i)), o, oo + i);
            }
        } else if (mode == VS) {
            FloatVector vb = FloatVector.broadcast(F, Vec.get(b, bo));
            for (long i = 0; i < ub; i += L) {
                store(prelu(load(a, ao + i), vb), o, oo + i);
            }
        } else {
            FloatVector va = FloatVector.broadcast(F, Vec.get(a, ao));
            for (long i = 0; i < ub; i += L) {
                store(prelu(va, load(b, bo + i)), o, oo + i);
            }
        }
    }
}
