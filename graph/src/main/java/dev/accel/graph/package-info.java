/**
 * The graph IR: {@link dev.accel.graph.Graph} (immutable, validated, topologically ordered) of
 * {@link dev.accel.graph.Node}s over named {@link dev.accel.graph.Value}s whose
 * {@link dev.accel.graph.ValueType}s may carry symbolic dimensions; {@link dev.accel.graph.GraphBuilder}
 * for graphs written in code and for passes; shape and dtype inference through each hal-api op's
 * {@code inferOutputs} ({@link dev.accel.graph.Inference}); the passes (constant folding, lowering
 * of graph-level operations, BatchNorm folding, Conv / Gemm epilogue fusion, MatMul + Add into Gemm,
 * identity and dead-node removal, {@link dev.accel.graph.Passes} for the standard pipelines); and
 * the static cost {@link dev.accel.graph.Analysis} the partitioner's cost model reads.
 *
 * <p>The flow: an importer (or code) builds a graph that may hold graph-level operations
 * ({@link dev.accel.graph.GraphOp}: Shape, Gather, ConstantOfShape, reshapes to computed shapes,
 * ops whose parameters are tensors); {@link dev.accel.graph.Passes#resolve} binds the symbols, folds
 * and lowers, leaving only {@link dev.accel.graph.KernelOp}s with static types, each of which gives
 * the {@link dev.accel.hal.op.OpSpec} a device prepares ({@link dev.accel.graph.Graph#spec}).
 */
package dev.accel.graph;
