package dev.accel.hal;

import java.util.Objects;

/** The static type of a tensor: element type and shape. Immutable. */
public record TensorType(DType dtype, Shape shape) {
    public TensorType {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
    }

    /** Shorthand for {@code new TensorType(dtype, Shape.of(dims))}. */
    public static TensorType of(DType dtype, int... dims) {
        return new TensorType(dtype, Shape.of(dims));
    }

    public long numel() {
        return shape.numel();
    }

    /** Bytes of a dense row-major tensor of this type. */
    public long byteSize() {
        return shape.numel() * dtype.byteSize();
    }

    public int rank() {
        return shape.rank();
    }

    /** The same shape with another element type. */
    public TensorType withDType(DType d) {
        return new TensorType(d, shape);
    }

    /** Formats as {@code float32[2, 3]}. */
    @Override
    public String toString() {
        return dtype.displayName() + shape;
    }
}
