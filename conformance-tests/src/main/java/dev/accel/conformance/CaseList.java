package dev.accel.conformance;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;

/** A growing list of op cases, with the shorthand the case catalogs share. */
final class CaseList {
    static final List<DType> FLOATS = List.of(DType.F32, DType.F16, DType.BF16);

    private final List<ConformanceCase> cases = new ArrayList<>();

    /** Adds a case of {@code op} over {@code inputs}, labelled by the op and {@code dtype}. */
    void add(String dtype, String family, Op op, List<TensorType> inputs, Gen... gens) {
        cases.add(OpCase.of(label(op), dtype, family, OpSpec.of(op, inputs), gens));
    }

    /** As {@link #add(String, String, Op, List, Gen...)}, labelled by the first input's dtype. */
    void add(String family, Op op, List<TensorType> inputs, Gen... gens) {
        add(Labels.of(inputs.getFirst().dtype()), family, op, inputs, gens);
    }

    void add(ConformanceCase c) {
        cases.add(c);
    }

    List<ConformanceCase> cases() {
        return cases;
    }

    /** The op's name in reports: ONNX's name, with the tanh approximation of Gelu told apart. */
    static String label(Op op) {
        return op instanceof Unary u && u.kind() == Unary.Kind.GELU_TANH ? "Gelu-tanh" : op.name();
    }

    static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }

    /** The same generator for {@code n} inputs. */
    static Gen[] times(int n, Gen g) {
        Gen[] r = new Gen[n];
        java.util.Arrays.fill(r, g);
        return r;
    }

    /** Values that every dtype stores exactly and that exercise its range. */
    static Gen anyValues(DType d) {
        return switch (d) {
            case F32, F16, BF16 -> Gen.uniform(-10, 10);
            case I8 -> Gen.ints(-128, 127);
            case U8 -> Gen.ints(0, 255);
            case I32 -> Gen.ints(-1_000_000_000, 1_000_000_000);
            case I64 -> Gen.ints(-(1L << 40), 1L << 40);
            case BOOL -> Gen.bools(0.5);
        };
    }
}
