package dev.accel.hal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A dense row-major tensor in host memory, over a 64-byte aligned {@link MemorySegment}.
 *
 * <p>Ownership: a tensor made by {@link #allocate} owns its memory and frees it on
 * {@link #close()} (idempotent); after that, element access throws. A tensor made by
 * {@link #wrap} borrows the segment and frees nothing. Element accessors read and write in the
 * tensor's own dtype and convert to and from double or float: integers round to nearest even
 * and saturate to the type's range, as ONNX QuantizeLinear does. Instances are not thread-safe for concurrent writes.
 */
public final class HostTensor implements AutoCloseable {
    /** Alignment of every allocation, enough for 512-bit vector loads. */
    public static final long ALIGNMENT = 64;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final TensorType type;
    private final MemorySegment segment;
    private final Arena arena;

    private HostTensor(TensorType type, MemorySegment segment, Arena arena) {
        this.type = type;
        this.segment = segment;
        this.arena = arena;
    }

    /** A zero-filled tensor that owns its memory (a shared arena, so any thread may use it). */
    public static HostTensor allocate(TensorType type) {
        Objects.requireNonNull(type, "type");
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate(Math.max(type.byteSize(), 1), ALIGNMENT)
                .asSlice(0, type.byteSize());
        return new HostTensor(type, seg, arena);
    }

    /** Shorthand for {@code allocate(TensorType.of(dtype, dims))}. */
    public static HostTensor allocate(DType dtype, int... dims) {
        return allocate(TensorType.of(dtype, dims));
    }

    /**
     * A tensor over a caller's segment, which must hold exactly {@code type.byteSize()} bytes. The
     * caller keeps ownership; closing the tensor frees nothing.
     */
    public static HostTensor wrap(TensorType type, MemorySegment segment) {
        if (segment.byteSize() != type.byteSize()) {
            throw new InvalidArgumentException("segment of " + segment.byteSize() + " bytes cannot hold " + type
                    + ", which needs " + type.byteSize() + " bytes");
        }
        return new HostTensor(type, segment, null);
    }

    /** A new tensor of the given dtype holding {@code values} converted from float. */
    public static HostTensor fromFloats(DType dtype, Shape shape, float... values) {
        TensorType t = new TensorType(dtype, shape);
        if (values.length != t.numel()) {
            throw new InvalidArgumentException(values.length + " values given for " + t + ", which holds " + t.numel());
        }
        HostTensor h = allocate(t);
        for (int i = 0; i < values.length; i++) {
            h.setDouble(i, values[i]);
        }
        return h;
    }

    /** A new tensor of the given dtype holding {@code values} converted from double. */
    public static HostTensor fromDoubles(DType dtype, Shape shape, double... values) {
        TensorType t = new TensorType(dtype, shape);
        if (values.length != t.numel()) {
            throw new InvalidArgumentException(values.length + " values given for " + t + ", which holds " + t.numel());
        }
        HostTensor h = allocate(t);
        for (int i = 0; i < values.length; i++) {
            h.setDouble(i, values[i]);
        }
        return h;
    }

    public TensorType type() {
        return type;
    }

    public DType dtype() {
        return type.dtype();
    }

    public Shape shape() {
        return type.shape();
    }

    public long numel() {
        return type.numel();
    }

    /** The tensor's bytes; valid until {@link #close()} of an owning tensor. */
    public MemorySegment segment() {
        return segment;
    }

    /** Element {@code i} (row-major flat index) converted to double. */
    public double getDouble(long i) {
        long o = i * type.dtype().byteSize();
        return switch (type.dtype()) {
            case F32 -> segment.get(F32, o);
            case F16 -> Half.f16ToFloat(segment.get(I16, o));
            case BF16 -> Half.bf16ToFloat(segment.get(I16, o));
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, o);
            case U8 -> segment.get(ValueLayout.JAVA_BYTE, o) & 0xff;
            case BOOL -> segment.get(ValueLayout.JAVA_BYTE, o) != 0 ? 1 : 0;
            case I32 -> segment.get(I32, o);
            case I64 -> segment.get(I64, o);
        };
    }

    /** Element {@code i} converted to float. */
    public float getFloat(long i) {
        return (float) getDouble(i);
    }

    /**
     * Stores {@code v} at element {@code i}, converted to the tensor's dtype: floats round to
     * nearest even; integers round to nearest even and saturate to the type's range; BOOL stores
     * 1 for any non-zero value. NaN stored into an integer type becomes 0.
     */
    public void setDouble(long i, double v) {
        long o = i * type.dtype().byteSize();
        switch (type.dtype()) {
            case F32 -> segment.set(F32, o, (float) v);
            case F16 -> segment.set(I16, o, Half.floatToF16((float) v));
            case BF16 -> segment.set(I16, o, Half.floatToBf16((float) v));
            case I8 -> segment.set(ValueLayout.JAVA_BYTE, o, (byte) saturate(v, DType.I8));
            case U8 -> segment.set(ValueLayout.JAVA_BYTE, o, (byte) saturate(v, DType.U8));
            case BOOL -> segment.set(ValueLayout.JAVA_BYTE, o, (byte) (v != 0 ? 1 : 0));
            case I32 -> segment.set(I32, o, (int) saturate(v, DType.I32));
            case I64 -> segment.set(I64, o, (long) saturate(v, DType.I64));
        }
    }

    /** Stores {@code v} at element {@code i}; see {@link #setDouble}. */
    public void setFloat(long i, float v) {
        setDouble(i, v);
    }

    /** All elements converted to float. */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidArgumentException(type + " has " + n + " elements, more than a Java array holds");
        }
        float[] out = new float[(int) n];
        if (type.dtype() == DType.F32) {
            MemorySegment.copy(segment, F32, 0, out, 0, out.length);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** All elements converted to double. */
    public double[] toDoubleArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidArgumentException(type + " has " + n + " elements, more than a Java array holds");
        }
        double[] out = new double[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** Round to nearest even, then clamp to the integer type's range; NaN maps to 0. */
    static double saturate(double v, DType t) {
        if (Double.isNaN(v)) {
            return 0;
        }
        double r = Math.rint(v);
        return Math.max(t.minValue(), Math.min(t.maxValue(), r));
    }

    /** True once an owning tensor was closed. Borrowing tensors are never closed. */
    public boolean isClosed() {
        return arena != null && !arena.scope().isAlive();
    }

    /** Frees owned memory. Idempotent; does nothing for a borrowing tensor. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "HostTensor(" + type + ")";
    }
}
