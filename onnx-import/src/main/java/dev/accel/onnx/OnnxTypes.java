package dev.accel.onnx;

import dev.accel.hal.DType;

/** ONNX element type codes (TensorProto.DataType) and accel's {@link DType}. */
final class OnnxTypes {
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int STRING = 8;
    static final int BOOL = 9;
    static final int FLOAT16 = 10;
    static final int BFLOAT16 = 16;

    private static final String[] NAMES = {"undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
        "bool", "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn",
        "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2"};

    private OnnxTypes() {
    }

    /** The DType of an ONNX code, or null when accel has none. */
    static DType dtype(int code) {
        return switch (code) {
            case FLOAT -> DType.F32;
            case UINT8 -> DType.U8;
            case INT8 -> DType.I8;
            case INT32 -> DType.I32;
            case INT64 -> DType.I64;
            case BOOL -> DType.BOOL;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            default -> null;
        };
    }

    /** The ONNX code of a DType. */
    static int code(DType d) {
        return switch (d) {
            case F32 -> FLOAT;
            case U8 -> UINT8;
            case I8 -> INT8;
            case I32 -> INT32;
            case I64 -> INT64;
            case BOOL -> BOOL;
            case F16 -> FLOAT16;
            case BF16 -> BFLOAT16;
        };
    }

    /** The ONNX name of a code ("float16"), for messages. */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "unknown type " + code;
    }

    /** Why a code cannot be used, for "not applicable" reasons. */
    static String unsupportedReason(int code) {
        if (code == STRING) {
            return "string tensor";
        }
        return "element type " + name(code) + " is outside accel's dtypes (float32, float16, bfloat16, int8, uint8, int32, int64, bool)";
    }
}
