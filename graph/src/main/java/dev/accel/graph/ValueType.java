package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.util.Map;
import java.util.Objects;

/**
 * The type of a graph value: an element type and a possibly symbolic shape. Once every dimension
 * is fixed, {@link #toTensorType()} gives the hal-api {@link TensorType} devices work with.
 */
public record ValueType(DType dtype, SymShape shape) {
    public ValueType {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
    }

    /** The fixed type equal to a hal-api tensor type. */
    public static ValueType of(TensorType t) {
        return new ValueType(t.dtype(), SymShape.of(t.shape()));
    }

    /** A fixed type. */
    public static ValueType of(DType dtype, int... dims) {
        return new ValueType(dtype, SymShape.of(dims));
    }

    /** A fixed type of a hal-api shape. */
    public static ValueType of(DType dtype, dev.accel.hal.Shape shape) {
        return new ValueType(dtype, SymShape.of(shape));
    }

    /** A type of unknown shape. */
    public static ValueType unknownShape(DType dtype) {
        return new ValueType(dtype, SymShape.unknown());
    }

    /** True when the shape is fully known and fixed. */
    public boolean isStatic() {
        return shape.isStatic();
    }

    /** The hal-api type; throws {@link dev.accel.hal.InvalidArgumentException} when the shape is not static. */
    public TensorType toTensorType() {
        return new TensorType(dtype, shape.toShape());
    }

    /** This type with the given symbols fixed. */
    public ValueType bind(Map<String, Integer> bindings) {
        return new ValueType(dtype, shape.bind(bindings));
    }

    /** Formats as {@code float32[N, 3, 224, 224]}. */
    @Override
    public String toString() {
        return dtype.displayName() + shape;
    }
}
