package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Transpose;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test reference against values worked out by hand, so that the demo tests can trust it. */
class ReferenceOpsTest {
    private static HostTensor t(Shape s, double... v) {
        return HostTensor.fromDoubles(DType.F32, s, v);
    }

    private static double[] run(Op op, HostTensor... in) {
        OpSpec spec = OpSpec.of(op, List.of(in).stream().map(HostTensor::type).toList());
        try (HostTensor out = HostTensor.allocate(spec.outputs().getFirst())) {
            ReferenceOps.run(spec, List.of(in), out);
            return out.toDoubleArray();
        }
    }

    @Test
    void convolutionByHand() {
        double[] y = run(Conv2d.simple(), t(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9),
                t(Shape.of(1, 1, 2, 2), 1, 0, 0, 1));
        assertArrayEquals(new double[] {6, 8, 12, 14}, y, 1e-12);
        // 3x3 ones, stride 2, padding 1, bias 100: each output sums the 2x2 corner block of X it covers.
        y = run(Conv2d.of(2, 1, 1), t(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9),
                t(Shape.of(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1), t(Shape.of(1), 100));
        assertArrayEquals(new double[] {112, 116, 124, 128}, y, 1e-12);
        // Depthwise: each channel scaled by its own weight.
        y = run(Conv2d.of(1, 0, 2), t(Shape.of(1, 2, 1, 2), 1, 1, 2, 2), t(Shape.of(2, 1, 1, 1), 3, 5));
        assertArrayEquals(new double[] {3, 3, 10, 10}, y, 1e-12);
    }

    @Test
    void channelShuffleByHand() {
        // [a b c d] in 2 groups -> [a c b d]
        double[] y = run(new Transpose(List.of(0, 2, 1, 3, 4)), t(Shape.of(1, 2, 2, 1, 1), 1, 2, 3, 4));
        assertArrayEquals(new double[] {1, 3, 2, 4}, y, 0);
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, run(new Transpose(List.of()), t(Shape.of(2, 3), 1, 2, 3, 4, 5, 6)), 0);
    }

    @Test
    void normalisationPoolingGemmSoftmaxByHand() {
        HostTensor one = t(Shape.of(1), 2);
        double[] y = run(new BatchNorm(1f), t(Shape.of(1, 1, 1, 1), 3), one, t(Shape.of(1), 1), t(Shape.of(1), 1),
                t(Shape.of(1), 3));
        assertArrayEquals(new double[] {(3 - 1) / 2.0 * 2 + 1}, y, 1e-12);
        assertArrayEquals(new double[] {2.5}, run(new GlobalAveragePool(), t(Shape.of(1, 1, 2, 2), 1, 2, 3, 4)), 1e-12);
        y = run(new Gemm(1f, 1f, false, true), t(Shape.of(1, 2), 1, 2), t(Shape.of(3, 2), 1, 0, 0, 1, 1, 1),
                t(Shape.of(3), 10, 20, 30));
        assertArrayEquals(new double[] {11, 22, 33}, y, 1e-12);
        assertArrayEquals(new double[] {0.25, 0.75}, run(new Softmax(-1), t(Shape.of(1, 2), 0, Math.log(3))), 1e-7);
    }
}
