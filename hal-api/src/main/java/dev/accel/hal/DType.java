package dev.accel.hal;

/**
 * Element types a tensor can hold.
 *
 * <p>F16 is IEEE 754 binary16 and BF16 is bfloat16 (the top half of a float); both are stored as
 * two bytes in little-endian order. BOOL is one byte, 0 or 1. Every multi-byte type is
 * little-endian in host memory, as in ONNX.
 */
public enum DType {
    F32(4, "float32"),
    F16(2, "float16"),
    BF16(2, "bfloat16"),
    I8(1, "int8"),
    U8(1, "uint8"),
    I32(4, "int32"),
    I64(8, "int64"),
    BOOL(1, "bool");

    private final int byteSize;
    private final String displayName;

    DType(int byteSize, String displayName) {
        this.byteSize = byteSize;
        this.displayName = displayName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The conventional lower-case name, as numpy and ONNX spell it ("float16"). */
    public String displayName() {
        return displayName;
    }

    /** True for F32, F16 and BF16. */
    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** True for the 8-bit quantized storage types, I8 and U8. */
    public boolean isQuantized() {
        return this == I8 || this == U8;
    }

    /** True for I8, U8, I32 and I64. */
    public boolean isInteger() {
        return this == I8 || this == U8 || this == I32 || this == I64;
    }

    /** Smallest value of an integer type, as a double; throws for float types. */
    public double minValue() {
        return switch (this) {
            case I8 -> Byte.MIN_VALUE;
            case U8, BOOL -> 0;
            case I32 -> Integer.MIN_VALUE;
            case I64 -> Long.MIN_VALUE;
            default -> throw new InvalidArgumentException(this + " has no integer range");
        };
    }

    /** Largest value of an integer type, as a double; throws for float types. */
    public double maxValue() {
        return switch (this) {
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 255;
            case BOOL -> 1;
            case I32 -> Integer.MAX_VALUE;
            case I64 -> Long.MAX_VALUE;
            default -> throw new InvalidArgumentException(this + " has no integer range");
        };
    }
}
