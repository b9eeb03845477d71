package dev.accel.conformance.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference against values computed by hand (float, linear algebra, pooling, normalisation, attention). */
class ReferenceTest {
    static final DType F = DType.F32;

    static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }

    /** Runs {@code op} on float32 inputs of the given types and returns its first output. */
    static double[] run(Op op, List<TensorType> types, double[]... values) {
        return Reference.run(OpSpec.of(op, types), Arrays.asList(values)).getFirst();
    }

    @Test
    void matmul2x3by3x2() {
        double[] y = run(new MatMul(), List.of(t(F, 2, 3), t(F, 3, 2)), new double[] {1, 2, 3, 4, 5, 6},
                new double[] {7, 8, 9, 10, 11, 12});
        assertArrayEquals(new double[] {58, 64, 139, 154}, y);
    }

    @Test
    void matmulPromotesOneDimensionalOperands() {
        double[] row = run(new MatMul(), List.of(t(F, 2), t(F, 2, 3)), new double[] {1, 2}, new double[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new double[] {9, 12, 15}, row);
        double[] col = run(new MatMul(), List.of(t(F, 2, 2), t(F, 2)), new double[] {1, 2, 3, 4}, new double[] {1, -1});
        assertArrayEquals(new double[] {-1, -1}, col);
        double[] dot = run(new MatMul(), List.of(t(F, 3), t(F, 3)), new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertArrayEquals(new double[] {32}, dot);
    }

    @Test
    void matmulBroadcastsBatches() {
        // A [2, 1, 2] times B [2, 1] (no batch): each batch row [1, 2] and [3, 4] times the column [1, 1].
        double[] y = run(new MatMul(), List.of(t(F, 2, 1, 2), t(F, 2, 1)), new double[] {1, 2, 3, 4}, new double[] {1, 1});
        assertArrayEquals(new double[] {3, 7}, y);
        // A [1, 1, 2] broadcast against B [3, 2, 1]: three batches.
        double[] z = run(new MatMul(), List.of(t(F, 1, 1, 2), t(F, 3, 2, 1)), new double[] {1, 2},
                new double[] {1, 0, 0, 1, 1, 1});
        assertArrayEquals(new double[] {1, 2, 3}, z);
    }

    @Test
    void matmulWithEmptyInnerDimensionIsZero() {
        double[] y = run(new MatMul(), List.of(t(F, 2, 0), t(F, 0, 3)), new double[0], new double[0]);
        assertArrayEquals(new double[6], y);
    }

    @Test
    void gemmTransposesScalesAndBroadcastsC() {
        double[] y = run(new Gemm(2f, 0.5f, false, true), List.of(t(F, 2, 2), t(F, 2, 2), t(F, 2)),
                new double[] {1, 2, 3, 4}, new double[] {5, 6, 7, 8}, new double[] {10, 20});
        assertArrayEquals(new double[] {39, 56, 83, 116}, y);
        double[] ta = run(new Gemm(1f, 1f, true, false), List.of(t(F, 2, 1), t(F, 2, 2)), new double[] {1, 2},
                new double[] {1, 2, 3, 4});
        assertArrayEquals(new double[] {7, 10}, ta);
    }

    @Test
    void convolutionWithPaddingStrideAndBias() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] diag = {1, 0, 0, 1};
        assertArrayEquals(new double[] {6, 8, 12, 14}, run(Conv2d.simple(), List.of(t(F, 1, 1, 3, 3), t(F, 1, 1, 2, 2)), x, diag));
        assertArrayEquals(new double[] {11, 13, 17, 24}, run(Conv2d.of(2, 1, 1), List.of(t(F, 1, 1, 3, 3), t(F, 1, 1, 2, 2),
                t(F, 1)), x, diag, new double[] {10}));
    }

    @Test
    void convolutionAsymmetricPaddingAndDilation() {
        // Width 5, kernel 2 with dilation 2: taps at x and x + 2.
        assertArrayEquals(new double[] {4, 6, 8}, run(new Conv2d(1, 1, 0, 0, 0, 0, 1, 2, 1),
                List.of(t(F, 1, 1, 1, 5), t(F, 1, 1, 1, 2)), new double[] {1, 2, 3, 4, 5}, new double[] {1, 1}));
        // Pad one column on the left only: windows [pad, 1], [1, 2], [2, 3].
        assertArrayEquals(new double[] {1, 3, 5}, run(new Conv2d(1, 1, 0, 1, 0, 0, 1, 1, 1),
                List.of(t(F, 1, 1, 1, 3), t(F, 1, 1, 1, 2)), new double[] {1, 2, 3}, new double[] {1, 1}));
    }

    @Test
    void groupedAndDepthwiseConvolution() {
        assertArrayEquals(new double[] {20, 300}, run(Conv2d.of(1, 0, 2), List.of(t(F, 1, 2, 1, 1), t(F, 2, 1, 1, 1)),
                new double[] {2, 3}, new double[] {10, 100}));
        assertArrayEquals(new double[] {5, -1}, run(Conv2d.simple(), List.of(t(F, 1, 2, 1, 1), t(F, 2, 2, 1, 1)),
                new double[] {2, 3}, new double[] {1, 1, 1, -1}));
        // Two groups of two input channels, one output channel each.
        assertArrayEquals(new double[] {3, 7 * 2}, run(Conv2d.of(1, 0, 2), List.of(t(F, 1, 4, 1, 1), t(F, 2, 2, 1, 1)),
                new double[] {1, 2, 3, 4}, new double[] {1, 1, 2, 2}));
    }

    @Test
    void maxPoolCeilModeKeepsAPartialLastWindow() {
        Pool2d p = new Pool2d(Pool2d.PoolKind.MAX, 1, 2, 1, 2, 0, 0, 0, 0, 1, 1, true, false);
        assertArrayEquals(new double[] {2, 4, 5}, run(p, List.of(t(F, 1, 1, 1, 5)), new double[] {1, 2, 3, 4, 5}));
        Pool2d floor = new Pool2d(Pool2d.PoolKind.MAX, 1, 2, 1, 2, 0, 0, 0, 0, 1, 1, false, false);
        assertArrayEquals(new double[] {2, 4}, run(floor, List.of(t(F, 1, 1, 1, 5)), new double[] {1, 2, 3, 4, 5}));
    }

    @Test
    void ceilModeDropsAWindowStartingInThePadding() {
        // Width 5, kernel 2, stride 2, pads 1 and 1: ceil gives 4 windows, the last would start at 5 (padding): dropped.
        Pool2d p = new Pool2d(Pool2d.PoolKind.MAX, 1, 2, 1, 2, 0, 1, 0, 1, 1, 1, true, false);
        assertArrayEquals(new double[] {1, 3, 5}, run(p, List.of(t(F, 1, 1, 1, 5)), new double[] {1, 2, 3, 4, 5}));
    }

    @Test
    void averagePoolCountsPaddingOnlyWhenAskedAndNeverPastIt() {
        Pool2d excl = new Pool2d(Pool2d.PoolKind.AVERAGE, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, false, false);
        Pool2d incl = new Pool2d(Pool2d.PoolKind.AVERAGE, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, false, true);
        double[] x = {1, 2, 3};
        assertArrayEquals(new double[] {1.5, 2, 2.5}, run(excl, List.of(t(F, 1, 1, 1, 3)), x), 1e-15);
        assertArrayEquals(new double[] {1, 2, 5.0 / 3}, run(incl, List.of(t(F, 1, 1, 1, 3)), x), 1e-15);
        // Width 4, kernel 3, stride 2, pads 1 and 1, ceil: windows [-1..1], [1..3], [3..5]; position 5 is past the padding.
        Pool2d ceilIncl = new Pool2d(Pool2d.PoolKind.AVERAGE, 1, 3, 1, 2, 0, 1, 0, 1, 1, 1, true, true);
        Pool2d ceilExcl = new Pool2d(Pool2d.PoolKind.AVERAGE, 1, 3, 1, 2, 0, 1, 0, 1, 1, 1, true, false);
        double[] x4 = {1, 2, 3, 4};
        assertArrayEquals(new double[] {1, 3, 2}, run(ceilIncl, List.of(t(F, 1, 1, 1, 4)), x4), 1e-15);
        assertArrayEquals(new double[] {1.5, 3, 4}, run(ceilExcl, List.of(t(F, 1, 1, 1, 4)), x4), 1e-15);
    }

    @Test
    void softmaxAlongAnAxis() {
        double[] y = run(new Softmax(-1), List.of(t(F, 3)), new double[] {1, 2, 3});
        assertArrayEquals(new double[] {0.09003057317038046, 0.24472847105479764, 0.6652409557748219}, y, 1e-15);
        double[] cols = run(new Softmax(0), List.of(t(F, 2, 2)), new double[] {0, 5, 0, 5});
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5}, cols, 1e-15);
    }

    @Test
    void layerNormUsesPopulationVariance() {
        double[] y = run(new LayerNorm(-1, 0f), List.of(t(F, 4), t(F, 1), t(F, 1)), new double[] {1, 2, 3, 4},
                new double[] {2}, new double[] {1});
        double s = 1 / Math.sqrt(1.25);
        assertArrayEquals(new double[] {1 - 3 * s, 1 - s, 1 + s, 1 + 3 * s}, y, 1e-14);
    }

    @Test
    void batchNormPerChannel() {
        double[] y = run(new BatchNorm(1f), List.of(t(F, 1, 2, 1, 1), t(F, 2), t(F, 2), t(F, 2), t(F, 2)),
                new double[] {1, 2}, new double[] {2, 1}, new double[] {1, 0}, new double[] {0, 1}, new double[] {0, 3});
        assertArrayEquals(new double[] {1 / Math.sqrt(1) * 2 + 1, 0.5}, y, 1e-15);
    }

    @Test
    void lrnSumsSquaresOverNeighbouringChannels() {
        double[] y = run(new Lrn(3, 3f, 1f, 1f), List.of(t(F, 1, 3, 1, 1)), new double[] {1, 2, 3});
        assertArrayEquals(new double[] {1.0 / 6, 2.0 / 15, 3.0 / 14}, y, 1e-15);
        // Even size 2: the window is [c, c + 1].
        double[] even = run(new Lrn(2, 2f, 1f, 1f), List.of(t(F, 1, 3, 1, 1)), new double[] {1, 2, 3});
        assertArrayEquals(new double[] {1.0 / 6, 2.0 / 14, 3.0 / 10}, even, 1e-15);
    }

    @Test
    void reduceMeanOverAxes() {
        double[] x = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new double[] {2, 5}, run(new ReduceMean(List.of(1), true), List.of(t(F, 2, 3)), x));
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, run(new ReduceMean(List.of(-2), false), List.of(t(F, 2, 3)), x));
        assertArrayEquals(new double[] {3.5}, run(new ReduceMean(List.of(), false), List.of(t(F, 2, 3)), x));
    }

    @Test
    void unaryFunctions() {
        double[] x = {-1, 1};
        assertArrayEquals(new double[] {0, 1}, run(Unary.of(Unary.Kind.RELU), List.of(t(F, 2)), x));
        assertArrayEquals(new double[] {-(double) 0.1f, 1}, run(Unary.leakyRelu(0.1f), List.of(t(F, 2)), x));
        assertArrayEquals(new double[] {-0.15865525393145707, 0.8413447460685429},
                run(Unary.of(Unary.Kind.GELU), List.of(t(F, 2)), x), 1e-15);
        assertArrayEquals(new double[] {-0.15880800939172324, 0.8411919906082768},
                run(Unary.of(Unary.Kind.GELU_TANH), List.of(t(F, 2)), x), 1e-15);
        assertArrayEquals(new double[] {-1.0 / 3, 2.0 / 3}, run(Unary.of(Unary.Kind.HARD_SWISH), List.of(t(F, 2)), x), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.75}, run(Unary.hardSigmoid(0.25f, 0.5f), List.of(t(F, 2)), new double[] {0, 1}));
        assertArrayEquals(new double[] {-1, 2, 0.5}, run(Unary.clip(-1f, 2f), List.of(t(F, 3)), new double[] {-5, 5, 0.5}));
        assertArrayEquals(new double[] {0.5, 2, Math.E}, new double[] {
            run(Unary.of(Unary.Kind.SIGMOID), List.of(t(F)), new double[] {0})[0],
            run(Unary.of(Unary.Kind.SQRT), List.of(t(F)), new double[] {4})[0],
            run(Unary.of(Unary.Kind.EXP), List.of(t(F)), new double[] {1})[0]});
        assertEquals(Math.tanh(0.5), run(Unary.of(Unary.Kind.TANH), List.of(t(F)), new double[] {0.5})[0]);
    }

    @Test
    void binaryBroadcastingAndPRelu() {
        assertArrayEquals(new double[] {11, 21, 31, 12, 22, 32}, run(new Binary(Binary.Kind.ADD),
                List.of(t(F, 2, 1), t(F, 3)), new double[] {1, 2}, new double[] {10, 20, 30}));
        assertArrayEquals(new double[] {-1, 3}, run(new Binary(Binary.Kind.PRELU), List.of(t(F, 2), t(F, 1)),
                new double[] {-2, 3}, new double[] {0.5}));
        assertArrayEquals(new double[] {-8, 0.25}, run(new Binary(Binary.Kind.POW), List.of(t(F, 2), t(F, 2)),
                new double[] {-2, 2}, new double[] {3, -2}));
        assertTrue(Double.isNaN(run(new Binary(Binary.Kind.POW), List.of(t(F), t(F)), new double[] {-2}, new double[] {0.5})[0]));
        assertArrayEquals(new double[] {3, -1}, run(new Binary(Binary.Kind.MAX), List.of(t(F, 2), t(F)), new double[] {3, -4},
                new double[] {-1}));
        assertArrayEquals(new double[] {-0.5, 2}, run(new Binary(Binary.Kind.DIV), List.of(t(F, 2), t(F, 2)),
                new double[] {1, -4}, new double[] {-2, -2}));
        assertArrayEquals(new double[] {111, 112, 121, 122}, run(new Sum(), List.of(t(F, 2, 1), t(F, 2), t(F)),
                new double[] {10, 20}, new double[] {1, 2}, new double[] {100}));
    }

    @Test
    void attentionSoftmaxOfScaledScores() {
        double p0 = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
        double[] y = run(Attention.standard(), List.of(t(F, 1, 1, 1, 2), t(F, 1, 1, 2, 2), t(F, 1, 1, 2, 2)),
                new double[] {1, 0}, new double[] {1, 0, 0, 1}, new double[] {1, 2, 3, 4});
        assertArrayEquals(new double[] {p0 + 3 * (1 - p0), 2 * p0 + 4 * (1 - p0)}, y, 1e-15);
    }

    @Test
    void attentionCausalAndMasks() {
        List<TensorType> qkv = List.of(t(F, 1, 1, 2, 1), t(F, 1, 1, 2, 1), t(F, 1, 1, 2, 1));
        double[] q = {1, 1};
        double[] k = {0, 0};
        double[] v = {10, 20};
        assertArrayEquals(new double[] {10, 15}, run(new Attention(Float.NaN, true), qkv, q, k, v), 1e-15);
        List<TensorType> masked = List.of(qkv.get(0), qkv.get(1), qkv.get(2), t(DType.BOOL, 2, 2));
        double[] y = run(Attention.standard(), masked, q, k, v, new double[] {0, 1, 0, 0});
        assertArrayEquals(new double[] {20}, new double[] {y[0]}, 1e-15);
        assertTrue(Double.isNaN(y[1]), "a row with every key masked is NaN");
        List<TensorType> additive = List.of(qkv.get(0), qkv.get(1), qkv.get(2), t(F, 2));
        double[] z = run(Attention.standard(), additive, q, k, v, new double[] {0, Math.log(3)});
        assertArrayEquals(new double[] {17.5, 17.5}, z, 1e-12);
    }

    @Test
    void rejectsInputsThatDoNotMatchTheSpec() {
        OpSpec s = OpSpec.of(new MatMul(), t(F, 2, 2), t(F, 2, 2));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Reference.run(s, List.of(new double[4], new double[3])));
        assertTrue(e.getMessage().contains("input 1 has 3 values"), e.getMessage());
    }
}
