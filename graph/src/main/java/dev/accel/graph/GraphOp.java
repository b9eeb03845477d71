package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;

/**
 * Graph-level operations: ONNX operators that are not device kernels as they stand, because they
 * compute on shapes or take their parameters as tensors. {@link ConstantFolding} evaluates them
 * when their inputs are constant, and {@link Lowering} turns them into hal-api kernels once the
 * parameter inputs are constant and the data shapes static. Input lists are given per record;
 * parameter inputs (after the data) may be absent ("") where ONNX makes them optional.
 */
public sealed interface GraphOp extends Operator {

    /**
     * True when input {@code index} is a parameter (a shape, axes, pads, bounds) that must be
     * constant for the op to lower to a kernel, rather than data a kernel reads.
     */
    default boolean isParameter(int index) {
        return switch (this) {
            case ShapeOf s -> false;
            case Gather g -> false;
            case ConstantOfShape c -> index == 0;
            default -> index >= 1;
        };
    }

    /** ONNX Shape: input data; output int64 {@code [end - start]}, the dimensions {@code [start, end)} (negative from the end, clamped). */
    record ShapeOf(int start, int end) implements GraphOp {
        /** The whole shape. */
        public static ShapeOf all() {
            return new ShapeOf(0, Integer.MAX_VALUE);
        }

        @Override
        public String name() {
            return "Shape";
        }
    }

    /** ONNX Gather: inputs data, indices (int32 or int64, negative from the end); output data's dims with axis replaced by indices' dims. */
    record Gather(int axis) implements GraphOp {
        @Override
        public String name() {
            return "Gather";
        }
    }

    /** ONNX ConstantOfShape: input shape (int64 1-D); output of that shape filled with {@code value} in {@code dtype}. */
    record ConstantOfShape(DType dtype, double value) implements GraphOp {
        public ConstantOfShape {
            if (dtype == null) {
                throw new InvalidArgumentException("ConstantOfShape: dtype is null");
            }
        }

        @Override
        public String name() {
            return "ConstantOfShape";
        }
    }

    /** ONNX Reshape: inputs data, shape (int64; 0 copies the input dimension unless {@code allowZero}, -1 is inferred). */
    record Reshape(boolean allowZero) implements GraphOp {
        @Override
        public String name() {
            return "Reshape";
        }
    }

    /** ONNX Flatten: input data; output 2-D {@code [prod(dims[0, axis)), prod(dims[axis, rank))]}. */
    record Flatten(int axis) implements GraphOp {
        @Override
        public String name() {
            return "Flatten";
        }
    }

    /** ONNX Squeeze: inputs data, optional axes (int64); absent axes remove every dimension of size 1. */
    record Squeeze() implements GraphOp {
        @Override
        public String name() {
            return "Squeeze";
        }
    }

    /** ONNX Unsqueeze: inputs data, axes (int64, positions in the output). */
    record Unsqueeze() implements GraphOp {
        @Override
        public String name() {
            return "Unsqueeze";
        }
    }

    /** ONNX Slice (opset 10+): inputs data, starts, ends, optional axes, optional steps (int32 or int64). */
    record Slice() implements GraphOp {
        @Override
        public String name() {
            return "Slice";
        }
    }

    /** ONNX Pad (opset 11+): inputs data, pads (int64), optional constant_value (scalar), optional axes. */
    record Pad(dev.accel.hal.op.Pad.Mode mode) implements GraphOp {
        public Pad {
            if (mode == null) {
                throw new InvalidArgumentException("Pad: mode is null");
            }
        }

        @Override
        public String name() {
            return "Pad";
        }
    }

    /** ONNX Clip (opset 11+): inputs x, optional min (scalar), optional max (scalar). */
    record Clip() implements GraphOp {
        @Override
        public String name() {
            return "Clip";
        }
    }

    /**
     * ONNX Split (opset 13+): inputs x, optional split sizes (int64); without sizes, {@code outputs}
     * equal parts (the last smaller when the axis does not divide, as opset 18 says).
     */
    record Split(int axis, int outputs) implements GraphOp {
        public Split {
            if (outputs < 1) {
                throw new InvalidArgumentException("Split: " + outputs + " outputs, must be >= 1");
            }
        }

        @Override
        public String name() {
            return "Split";
        }

        @Override
        public int outputCount() {
            return outputs;
        }
    }

    /** ONNX ReduceMean (opset 18+): inputs data, optional axes (int64). */
    record ReduceMean(boolean keepDims, boolean noopWithEmptyAxes) implements GraphOp {
        @Override
        public String name() {
            return "ReduceMean";
        }
    }

    /** ONNX Expand: inputs x, shape (int64); output the broadcast of x's shape and {@code shape}. */
    record Expand() implements GraphOp {
        @Override
        public String name() {
            return "Expand";
        }
    }
}
