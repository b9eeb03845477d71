package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The data of a constant value (an initializer, or the result of constant folding): either dense,
 * in host memory, or a splat (one value repeated over a shape) that is materialized only when a
 * device needs the bytes, so that a model whose weights are {@code ConstantOfShape} outputs can be
 * analysed without allocating them.
 *
 * <p>Memory: dense data lives in memory managed by the garbage collector ({@link Arena#ofAuto()}),
 * so constants can be shared between graphs that passes derive from one another and nobody closes
 * them. Constants are immutable: callers must not write into {@link #tensor()}.
 *
 * <p>Thread safety: safe to share; materialization of a splat happens once under a lock.
 */
public final class Constant {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final TensorType type;
    private final double splat;
    private final boolean isSplat;
    private volatile HostTensor dense;

    private Constant(TensorType type, HostTensor dense, double splat, boolean isSplat) {
        this.type = type;
        this.dense = dense;
        this.splat = splat;
        this.isSplat = isSplat;
    }

    /**
     * A dense constant filled by {@code fill}, which receives a zeroed tensor of {@code type} and
     * must not keep it.
     */
    public static Constant build(TensorType type, Consumer<HostTensor> fill) {
        HostTensor t = allocate(type);
        fill.accept(t);
        return new Constant(type, t, 0, false);
    }

    /** A dense constant holding a copy of {@code t}'s data; the caller keeps ownership of {@code t}. */
    public static Constant copyOf(HostTensor t) {
        return build(t.type(), d -> MemorySegment.copy(t.segment(), 0, d.segment(), 0, t.type().byteSize()));
    }

    /** A constant of {@code type} whose every element is {@code value} (converted to the dtype). */
    public static Constant splat(TensorType type, double value) {
        Objects.requireNonNull(type, "type");
        HostTensor probe = HostTensor.allocate(type.dtype());
        try {
            probe.setDouble(0, value);
            value = probe.getDouble(0);
        } finally {
            probe.close();
        }
        return new Constant(type, null, value, true);
    }

    /** A dense float constant of the given shape. */
    public static Constant ofFloats(Shape shape, float... values) {
        TensorType t = new TensorType(DType.F32, shape);
        checkCount(values.length, t);
        return build(t, d -> MemorySegment.copy(values, 0, d.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length));
    }

    /** A dense constant of the given dtype and shape holding {@code values} converted. */
    public static Constant ofDoubles(DType dtype, Shape shape, double... values) {
        TensorType t = new TensorType(dtype, shape);
        checkCount(values.length, t);
        return build(t, d -> {
            for (int i = 0; i < values.length; i++) {
                d.setDouble(i, values[i]);
            }
        });
    }

    /** A 1-D int64 constant, the usual form of shapes, axes and pads. */
    public static Constant ofLongs(long... values) {
        return ofLongs(Shape.of(values.length), values);
    }

    /** An int64 constant of the given shape. */
    public static Constant ofLongs(Shape shape, long... values) {
        TensorType t = new TensorType(DType.I64, shape);
        checkCount(values.length, t);
        return build(t, d -> MemorySegment.copy(values, 0, d.segment(), I64, 0, values.length));
    }

    private static void checkCount(int n, TensorType t) {
        if (n != t.numel()) {
            throw new InvalidArgumentException(n + " values given for " + t + ", which holds " + t.numel());
        }
    }

    private static HostTensor allocate(TensorType type) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, type.byteSize()), HostTensor.ALIGNMENT)
                .asSlice(0, type.byteSize());
        return HostTensor.wrap(type, seg);
    }

    public TensorType type() {
        return type;
    }

    public long numel() {
        return type.numel();
    }

    /** True when every element is {@link #splatValue()} and the data has not been materialized by construction. */
    public boolean isSplat() {
        return isSplat;
    }

    /** The repeated value of a splat; throws for a dense constant. */
    public double splatValue() {
        if (!isSplat) {
            throw new InvalidArgumentException("constant " + type + " is dense, not a splat");
        }
        return splat;
    }

    /** Element {@code i} (row-major) as a double. */
    public double getDouble(long i) {
        checkIndex(i);
        return isSplat ? splat : dense.getDouble(i);
    }

    /** Element {@code i} as a long, exact for int64 (a double would round values above 2^53). */
    public long getLong(long i) {
        checkIndex(i);
        if (isSplat) {
            return (long) splat;
        }
        return switch (type.dtype()) {
            case I64 -> dense.segment().getAtIndex(I64, i);
            case I32 -> dense.segment().getAtIndex(I32, i);
            default -> (long) dense.getDouble(i);
        };
    }

    private void checkIndex(long i) {
        if (i < 0 || i >= type.numel()) {
            throw new InvalidArgumentException("element " + i + " is outside constant " + type);
        }
    }

    /**
     * All elements as longs, for the small integer tensors that describe shapes, axes and pads.
     *
     * @throws InvalidArgumentException when the constant has more than {@code max} elements
     */
    public long[] toLongArray(int max) {
        if (type.numel() > max) {
            throw new InvalidArgumentException("constant " + type + " has " + type.numel() + " elements; at most " + max
                    + " expected here");
        }
        long[] out = new long[(int) type.numel()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /**
     * The data as a dense host tensor, materializing a splat on first use. The tensor borrows this
     * constant's memory: do not write into it and do not close it (closing does nothing).
     */
    public HostTensor tensor() {
        HostTensor t = dense;
        if (t == null) {
            synchronized (this) {
                t = dense;
                if (t == null) {
                    t = allocate(type);
                    if (splat != 0) {
                        long n = type.numel();
                        if (type.dtype() == DType.F32) {
                            float f = (float) splat;
                            for (long i = 0; i < n; i++) {
                                t.segment().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, f);
                            }
                        } else {
                            for (long i = 0; i < n; i++) {
                                t.setDouble(i, splat);
                            }
                        }
                    }
                    dense = t;
                }
            }
        }
        return t;
    }

    /** This constant's data under another shape of the same element count (no copy). */
    public Constant reshaped(Shape shape) {
        TensorType t = new TensorType(type.dtype(), shape);
        if (t.numel() != type.numel()) {
            throw new InvalidArgumentException("cannot reshape constant " + type + " to " + shape + ": element counts differ");
        }
        if (isSplat) {
            return new Constant(t, null, splat, true);
        }
        return new Constant(t, HostTensor.wrap(t, dense.segment()), 0, false);
    }

    @Override
    public String toString() {
        return "Constant(" + type + (isSplat ? ", splat " + splat : "") + ")";
    }
}
