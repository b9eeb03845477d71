package dev.accel.conformance;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;
import java.util.stream.Collectors;

/** Short names used in case ids and reports. */
final class Labels {
    private Labels() {
    }

    /** "f32", "f16", "bf16", "i8", "u8", "i32", "i64", "bool". */
    static String of(DType d) {
        return switch (d) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case I8 -> "i8";
            case U8 -> "u8";
            case I32 -> "i32";
            case I64 -> "i64";
            case BOOL -> "bool";
        };
    }

    /** "3x17" for [3, 17], "scalar" for rank 0. */
    static String dims(Shape s) {
        if (s.rank() == 0) {
            return "scalar";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.rank(); i++) {
            b.append(i == 0 ? "" : "x").append(s.dim(i));
        }
        return b.toString();
    }

    /** "3x17, 17x5 -> 3x5" for a spec's inputs and outputs. */
    static String shapes(List<TensorType> inputs, List<TensorType> outputs) {
        return inputs.stream().map(t -> dims(t.shape())).collect(Collectors.joining(", ")) + " -> "
                + outputs.stream().map(t -> dims(t.shape())).collect(Collectors.joining(", "));
    }
}
