package dev.accel.conformance.reference;

import static dev.accel.conformance.reference.ReferenceTest.run;
import static dev.accel.conformance.reference.ReferenceTest.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference's quantization, Cast and layout ops against values computed by hand. */
class RefQuantLayoutTest {
    static final DType F = DType.F32;
    static final DType U8 = DType.U8;
    static final DType I8 = DType.I8;

    @Test
    void quantizeRoundsHalfToEvenAddsZeroPointAndSaturates() {
        double[] y = run(new QuantizeLinear(0), List.of(t(F, 5), t(F), t(U8)), new double[] {-1, 0, 1.25, 1.75, 1000},
                new double[] {0.5}, new double[] {128});
        assertArrayEquals(new double[] {126, 128, 130, 132, 255}, y);
        double[] noZp = run(new QuantizeLinear(0), List.of(t(F, 2), t(F)), new double[] {-3, 0.75}, new double[] {0.5});
        assertArrayEquals(new double[] {0, 2}, noZp, "no zero point: uint8, zero point 0");
    }

    @Test
    void quantizePerAxis() {
        double[] y = run(new QuantizeLinear(1), List.of(t(F, 2, 2), t(F, 2), t(I8, 2)), new double[] {1, 1, -1, -1},
                new double[] {0.5, 0.25}, new double[] {0, 10});
        assertArrayEquals(new double[] {2, 14, -2, 6}, y);
    }

    @Test
    void dequantizePerTensorAndPerAxis() {
        assertArrayEquals(new double[] {-66.5, 0}, run(new DequantizeLinear(0), List.of(t(I8, 2), t(F), t(I8)),
                new double[] {-128, 5}, new double[] {0.5}, new double[] {5}));
        assertArrayEquals(new double[] {1, 2, 30, 40}, run(new DequantizeLinear(0), List.of(t(DType.I32, 2, 2), t(F, 2)),
                new double[] {1, 2, 3, 4}, new double[] {1, 10}));
    }

    @Test
    void matMulIntegerSubtractsZeroPointsPerColumn() {
        double[] y = run(new MatMulInteger(), List.of(t(U8, 2, 2), t(U8, 2, 2), t(U8), t(U8, 2)), new double[] {1, 2, 3, 4},
                new double[] {1, 2, 3, 4}, new double[] {1}, new double[] {1, 2});
        assertArrayEquals(new double[] {2, 2, 6, 6}, y);
    }

    @Test
    void qLinearMatMulRequantizesHalfToEven() {
        // acc = 10 * 1 + 20 * 2 = 50; real = 50 * 0.125 * 0.5 = 3.125; / 1.25 = 2.5 -> 2, + 3.
        double[] y = run(new QLinearMatMul(), List.of(t(U8, 1, 2), t(F), t(U8), t(U8, 2, 1), t(F), t(U8), t(F), t(U8)),
                new double[] {10, 20}, new double[] {0.125}, new double[] {0}, new double[] {1, 2}, new double[] {0.5},
                new double[] {0}, new double[] {1.25}, new double[] {3});
        assertArrayEquals(new double[] {5}, y);
        // Per-column b: columns scaled by 1 and 2, b zero points 1 and 0; output int8 saturates.
        double[] z = run(new QLinearMatMul(), List.of(t(I8, 1, 1), t(F), t(I8), t(I8, 1, 2), t(F, 2), t(I8, 2), t(F), t(I8)),
                new double[] {100}, new double[] {1}, new double[] {0}, new double[] {3, 2}, new double[] {1, 2},
                new double[] {1, 0}, new double[] {1}, new double[] {0});
        assertArrayEquals(new double[] {127, 127}, z);
        double[] w = run(new QLinearMatMul(), List.of(t(I8, 1, 1), t(F), t(I8), t(I8, 1, 2), t(F, 2), t(I8, 2), t(F), t(I8)),
                new double[] {1}, new double[] {1}, new double[] {0}, new double[] {3, -2}, new double[] {1, 2},
                new double[] {1, 0}, new double[] {1}, new double[] {-1});
        assertArrayEquals(new double[] {1, -5}, w);
    }

    @Test
    void convIntegerAndQLinearConv() {
        double[] y = run(new ConvInteger(Conv2d.simple()), List.of(t(U8, 1, 1, 2, 2), t(U8, 1, 1, 2, 2), t(U8), t(U8)),
                new double[] {1, 2, 3, 4}, new double[] {1, 1, 1, 1}, new double[] {1}, new double[] {0});
        assertArrayEquals(new double[] {6}, y);
        // Padding holds the zero point, so it contributes nothing: 1x1 input, 3x3 kernel, pad 1.
        double[] padded = run(new ConvInteger(Conv2d.of(1, 1, 1)), List.of(t(U8, 1, 1, 1, 1), t(U8, 1, 1, 3, 3), t(U8)),
                new double[] {9}, new double[] {1, 1, 1, 1, 2, 1, 1, 1, 1}, new double[] {4});
        assertArrayEquals(new double[] {10}, padded);
        // acc = 10 * 2 + bias 10 = 30; real = 30 * 0.1 * 0.5 = 1.5 -> 2 (half to even), + 3.
        double[] q = run(new QLinearConv(Conv2d.simple()), List.of(t(U8, 1, 1, 1, 1), t(F), t(U8), t(U8, 1, 1, 1, 1), t(F),
                t(U8), t(F), t(U8), t(DType.I32, 1)), new double[] {10}, new double[] {0.1}, new double[] {0},
                new double[] {2}, new double[] {0.5}, new double[] {0}, new double[] {1}, new double[] {3}, new double[] {10});
        assertArrayEquals(new double[] {5}, q, 1e-12);
        // Per output channel: w 2 - 0 at scale 0.5 and w 2 - 1 at scale 1 both give 1.0 from x = 10 at 0.1.
        double[] pc = run(new QLinearConv(Conv2d.simple()), List.of(t(U8, 1, 1, 1, 1), t(F), t(U8), t(U8, 2, 1, 1, 1),
                t(F, 2), t(U8, 2), t(F), t(U8)), new double[] {10}, new double[] {0.1}, new double[] {0},
                new double[] {2, 2}, new double[] {0.5, 1}, new double[] {0, 1}, new double[] {0.5}, new double[] {7});
        assertArrayEquals(new double[] {9, 9}, pc);
    }

    @Test
    void castStoresInTheTarget() {
        assertArrayEquals(new double[] {2, -2, 127, 0}, run(new Cast(I8), List.of(t(F, 4)), new double[] {2.9, -2.9, 1e9,
            Double.NaN}));
        assertArrayEquals(new double[] {1, 0, 1}, run(new Cast(DType.BOOL), List.of(t(DType.I32, 3)), new double[] {-7, 0, 3}));
        assertArrayEquals(new double[] {1.0, 3.140625}, run(new Cast(DType.BF16), List.of(t(F, 2)), new double[] {1.0, Math.PI}));
    }

    @Test
    void transposeReshapeConcatSplit() {
        double[] x = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, run(new Transpose(List.of(1, 0)), List.of(t(F, 2, 3)), x));
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, run(new Transpose(List.of()), List.of(t(F, 2, 3)), x));
        // [1, 2, 3] -> perm [2, 0, 1] -> [3, 1, 2]: y[k][0][j] = x[0][j][k].
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, run(new Transpose(List.of(2, 0, 1)), List.of(t(F, 1, 2, 3)), x));
        assertArrayEquals(x, run(new Reshape(Shape.of(3, 2)), List.of(t(F, 2, 3)), x));
        assertArrayEquals(new double[] {1, 7, 8, 2, 9, 10}, run(new Concat(1), List.of(t(F, 2, 1), t(F, 2, 2)),
                new double[] {1, 2}, new double[] {7, 8, 9, 10}));
        List<double[]> parts = Reference.run(OpSpec.of(new Split(1, List.of(1, 0, 2)), t(F, 2, 3)), List.of(x));
        assertEquals(3, parts.size());
        assertArrayEquals(new double[] {1, 4}, parts.get(0));
        assertArrayEquals(new double[0], parts.get(1));
        assertArrayEquals(new double[] {2, 3, 5, 6}, parts.get(2));
    }

    @Test
    void sliceClampsNegativeIndicesAndSteps() {
        double[] x = {0, 1, 2, 3, 4};
        assertArrayEquals(new double[] {4, 3, 2, 1, 0}, run(new Slice(List.of(-1), List.of(-100), List.of(), List.of(-1)),
                List.of(t(F, 5)), x));
        assertArrayEquals(new double[] {1, 3}, run(new Slice(List.of(1), List.of(100), List.of(0), List.of(2)),
                List.of(t(F, 5)), x));
        assertArrayEquals(new double[] {4, 1}, run(new Slice(List.of(10), List.of(0), List.of(), List.of(-3)),
                List.of(t(F, 5)), x));
        assertArrayEquals(new double[0], run(new Slice(List.of(3), List.of(1), List.of(), List.of()), List.of(t(F, 5)), x));
        assertArrayEquals(new double[] {5, 6}, run(new Slice(List.of(1, 1), List.of(2, 3), List.of(0, -1), List.of()),
                List.of(t(F, 2, 4)), new double[] {0, 1, 2, 3, 4, 5, 6, 7}));
    }

    @Test
    void padModes() {
        double[] x = {1, 2, 3};
        assertArrayEquals(new double[] {3, 2, 1, 2, 3, 2, 1}, run(new Pad(Pad.Mode.REFLECT, List.of(2, 2), 0f),
                List.of(t(F, 3)), x));
        assertArrayEquals(new double[] {1, 1, 1, 2, 3, 3, 3}, run(new Pad(Pad.Mode.EDGE, List.of(2, 2), 0f),
                List.of(t(F, 3)), x));
        assertArrayEquals(new double[] {9, 1, 2, 3, 9, 9}, run(new Pad(Pad.Mode.CONSTANT, List.of(1, 2), 9f),
                List.of(t(F, 3)), x));
        assertArrayEquals(new double[] {2, 1, 2, 3}, run(new Pad(Pad.Mode.CONSTANT, List.of(1, 0), 2.5f),
                List.of(t(I8, 3)), x), "the constant is stored in the dtype: 2.5 rounds half to even");
        assertArrayEquals(new double[] {0, 0, 0, 1, 2, 0, 3, 4, 0, 0, 0, 0},
                run(new Pad(Pad.Mode.CONSTANT, List.of(1, 0, 1, 1), 0f), List.of(t(F, 2, 2)), new double[] {1, 2, 3, 4}));
    }
}
