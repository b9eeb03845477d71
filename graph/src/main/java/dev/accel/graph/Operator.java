package dev.accel.graph;

/**
 * What a {@link Node} computes: either a device kernel ({@link KernelOp}, wrapping a hal-api op) or
 * a graph-level operation ({@link GraphOp}) that exists before the graph is fully resolved
 * (shape computations, reshapes whose target is a tensor, ops whose parameters arrive as tensors).
 * Passes fold graph-level operations into constants or lower them to kernels; the runtime runs
 * only kernels.
 */
public sealed interface Operator permits KernelOp, GraphOp {
    /** The operation's name, as ONNX spells it where ONNX has it. */
    String name();

    /** How many outputs a node of this operator has. */
    default int outputCount() {
        return 1;
    }
}
