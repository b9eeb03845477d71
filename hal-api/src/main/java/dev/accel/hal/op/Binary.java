package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * A binary elementwise op with numpy broadcasting: inputs A and B of one float dtype, output of
 * the broadcast shape. {@link Kind#PRELU} is ONNX PRelu: {@code A < 0 ? B * A : A} with B (the
 * slope) broadcast unidirectionally to A, so the output has A's shape. {@link Kind#POW} follows
 * C's {@code pow} (a negative base with a non-integer exponent gives NaN).
 */
public record Binary(Kind kind) implements Op {
    /** The elementwise function. */
    public enum Kind {
        ADD("Add"), SUB("Sub"), MUL("Mul"), DIV("Div"), POW("Pow"), MAX("Max"), MIN("Min"), PRELU("PRelu");

        private final String onnxName;

        Kind(String onnxName) {
            this.onnxName = onnxName;
        }

        /** The ONNX operator name. */
        public String onnxName() {
            return onnxName;
        }
    }

    public Binary {
        if (kind == null) {
            throw new InvalidArgumentException("Binary: kind is null");
        }
    }

    @Override
    public String name() {
        return kind.onnxName();
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 2);
        TensorType a = in.get(0);
        TensorType b = in.get(1);
        OpChecks.floatType(name(), "A", a);
        OpChecks.sameDType(name(), "B", b, a);
        if (kind == Kind.PRELU) {
            OpChecks.broadcastsTo(name(), "slope", b, a.shape());
        }
        Shape out = Shape.broadcast(a.shape(), b.shape());
        return List.of(new TensorType(a.dtype(), out));
    }
}
