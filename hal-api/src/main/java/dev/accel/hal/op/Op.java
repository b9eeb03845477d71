package dev.accel.hal.op;

import dev.accel.hal.TensorType;
import java.util.List;

/**
 * An operation with its attributes, independent of any device. Semantics follow the ONNX operator
 * of the same name unless the record's Javadoc says otherwise; each record documents its inputs,
 * in order, and its outputs.
 *
 * <p>Ops are immutable values: equal records describe the same computation, so they may key caches
 * of prepared kernels. Input and output types are not part of the op: an {@link OpSpec} pairs an
 * op with them.
 */
public sealed interface Op
        permits MatMul, Gemm, Conv2d, Pool2d, GlobalAveragePool, BatchNorm, LayerNorm, Lrn, Softmax,
                ReduceMean, Identity, Sum, Binary, Unary, Transpose, Reshape, Concat, Slice, Split, Pad,
                Attention, QuantizeLinear, DequantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger,
                QLinearConv, Cast, FusedConv {

    /** The op's name as ONNX spells it where ONNX has it ("Conv", "MatMul"), else a descriptive one. */
    String name();

    /**
     * Checks the input types and returns the output types.
     *
     * @param inputs the input types in the documented order; optional trailing inputs may be
     *     left out
     * @throws dev.accel.hal.InvalidArgumentException naming the input, its actual type and what was
     *     required, when the inputs do not fit this op
     */
    List<TensorType> inferOutputs(List<TensorType> inputs);
}
