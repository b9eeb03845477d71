package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/** Argument checks shared by the ops' shape inference. Messages name the op, the input and the values. */
final class OpChecks {
    private OpChecks() {
    }

    static void count(String op, List<TensorType> in, int min, int max) {
        if (in == null) {
            throw new InvalidArgumentException(op + ": inputs are null");
        }
        if (in.size() < min || in.size() > max) {
            String want = min == max ? String.valueOf(min) : min + " to " + max;
            throw new InvalidArgumentException(op + " takes " + want + " inputs, got " + in.size() + ": " + in);
        }
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) == null) {
                throw new InvalidArgumentException(op + ": input " + i + " is null");
            }
        }
    }

    static void floatType(String op, String what, TensorType t) {
        if (!t.dtype().isFloat()) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires float32, float16 or bfloat16");
        }
    }

    static void dtype(String op, String what, TensorType t, DType... allowed) {
        for (DType d : allowed) {
            if (t.dtype() == d) {
                return;
            }
        }
        throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires one of " + List.of(allowed));
    }

    static void sameDType(String op, String what, TensorType t, TensorType ref) {
        if (t.dtype() != ref.dtype()) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires the dtype of the first input, "
                    + ref.dtype().displayName());
        }
    }

    static void rank(String op, String what, TensorType t, int rank) {
        if (t.rank() != rank) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires rank " + rank);
        }
    }

    static void minRank(String op, String what, TensorType t, int rank) {
        if (t.rank() < rank) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires rank >= " + rank);
        }
    }

    static void positive(String op, String what, int v) {
        if (v <= 0) {
            throw new InvalidArgumentException(op + ": " + what + " is " + v + ", must be > 0");
        }
    }

    static void nonNegative(String op, String what, int v) {
        if (v < 0) {
            throw new InvalidArgumentException(op + ": " + what + " is " + v + ", must be >= 0");
        }
    }

    /** A quantization parameter: a scalar (or one-element 1-D) tensor, or 1-D of {@code channels}. */
    static void quantParam(String op, String what, TensorType t, int channels) {
        boolean perTensor = t.numel() == 1 && t.rank() <= 1;
        boolean perChannel = t.rank() == 1 && t.shape().dim(0) == channels;
        if (!perTensor && !perChannel) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t
                    + ", requires a scalar (per tensor) or a 1-D tensor of " + channels + " (per channel)");
        }
    }

    /** A parameter that must be per tensor. */
    static void scalarParam(String op, String what, TensorType t) {
        if (!(t.numel() == 1 && t.rank() <= 1)) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires a scalar");
        }
    }

    /** {@code t}'s shape broadcasts (numpy rules, unidirectionally) to {@code target} and has no higher rank. */
    static void broadcastsTo(String op, String what, TensorType t, dev.accel.hal.Shape target) {
        boolean ok = t.rank() <= target.rank();
        for (int i = 1; ok && i <= t.rank(); i++) {
            int d = t.shape().dim(t.rank() - i);
            ok = d == 1 || d == target.dim(target.rank() - i);
        }
        if (!ok) {
            throw new InvalidArgumentException(op + ": " + what + " is " + t + ", requires a shape broadcastable to " + target);
        }
    }
}
