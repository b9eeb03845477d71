package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Split;

/** A node operator that devices run: one hal-api {@link Op}. */
public record KernelOp(Op op) implements Operator {
    public KernelOp {
        if (op == null) {
            throw new InvalidArgumentException("KernelOp: op is null");
        }
    }

    @Override
    public String name() {
        return op.name();
    }

    @Override
    public int outputCount() {
        return op instanceof Split s ? s.sizes().size() : 1;
    }

    @Override
    public String toString() {
        return op.toString();
    }
}
