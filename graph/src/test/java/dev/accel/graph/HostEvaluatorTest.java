package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Transpose;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostEvaluatorTest {
    private static List<Constant> eval(Operator op, Constant... in) {
        List<ValueType> t = new ArrayList<>();
        for (Constant c : in) {
            t.add(c == null ? null : ValueType.of(c.type()));
        }
        List<Constant> cs = new ArrayList<>(List.of(in));
        List<ValueType> out = Inference.outputs(op, t, cs);
        return HostEvaluator.evaluate(op, t, cs, out);
    }

    private static double[] values(Constant c) {
        double[] v = new double[(int) c.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.getDouble(i);
        }
        return v;
    }

    @Test
    void broadcastsIntegerArithmeticExactly() {
        Constant a = Constant.ofLongs(Shape.of(2, 1), 6, -7);
        Constant b = Constant.ofLongs(Shape.of(3), 1, 2, 3);
        Constant q = eval(new KernelOp(new Binary(Binary.Kind.DIV)), a, b).get(0);
        assertEquals(TensorType.of(DType.I64, 2, 3), q.type());
        assertArrayEquals(new long[] {6, 3, 2, -7, -3, -2}, q.toLongArray(16));
        Constant big = Constant.ofLongs(Long.MAX_VALUE - 1);
        Constant sum = eval(new KernelOp(new Binary(Binary.Kind.ADD)), big, Constant.ofLongs(1)).get(0);
        assertEquals(Long.MAX_VALUE, sum.getLong(0));
    }

    @Test
    void slicesWithNegativeStepsAndConcatenates() {
        Constant x = Constant.ofDoubles(DType.F32, Shape.of(2, 4), 0, 1, 2, 3, 4, 5, 6, 7);
        Constant s = eval(new KernelOp(new Slice(List.of(3), List.of(0), List.of(1), List.of(-2))), x).get(0);
        assertArrayEquals(new double[] {3, 1, 7, 5}, values(s));
        Constant c = eval(new KernelOp(new Concat(1)), x, s).get(0);
        assertEquals(Shape.of(2, 6), c.type().shape());
        assertArrayEquals(new double[] {0, 1, 2, 3, 3, 1, 4, 5, 6, 7, 7, 5}, values(c));
    }

    @Test
    void transposesAndGathers() {
        Constant x = Constant.ofDoubles(DType.F32, Shape.of(2, 3), 0, 1, 2, 3, 4, 5);
        Constant t = eval(new KernelOp(new Transpose(List.of(1, 0))), x).get(0);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, values(t));
        Constant g = eval(new GraphOp.Gather(1), x, Constant.ofLongs(-1, 0)).get(0);
        assertEquals(Shape.of(2, 2), g.type().shape());
        assertArrayEquals(new double[] {2, 0, 5, 3}, values(g));
        assertThrows(InvalidArgumentException.class, () -> eval(new GraphOp.Gather(0), x, Constant.ofLongs(2)));
    }

    @Test
    void splatsStaySplatsAndAreNeverAllocatedByShapeOps() {
        Constant big = Constant.splat(TensorType.of(DType.F32, 4096, 25088), 0.25);
        Constant r = eval(new GraphOp.Reshape(false), big, Constant.ofLongs(-1)).get(0);
        assertTrue(r.isSplat());
        assertEquals(4096L * 25088, r.numel());
        Constant h = eval(new KernelOp(new Cast(DType.F16)), r).get(0);
        assertTrue(h.isSplat());
        assertEquals(0.25, h.splatValue());
        Constant shape = eval(GraphOp.ShapeOf.all(), big).get(0);
        assertArrayEquals(new long[] {4096, 25088}, shape.toLongArray(4));
    }

    @Test
    void castTruncatesTowardZero() {
        Constant x = Constant.ofDoubles(DType.F32, Shape.of(4), -2.7, -0.5, 0.5, 2.7);
        assertArrayEquals(new long[] {-2, 0, 0, 2}, eval(new KernelOp(new Cast(DType.I64)), x).get(0).toLongArray(4));
    }

    @Test
    void leavesHeavyOpsToDevices() {
        Constant a = Constant.ofDoubles(DType.F32, Shape.of(1, 2), 1, 2);
        Constant b = Constant.ofDoubles(DType.F32, Shape.of(2, 1), 3, 4);
        assertNull(eval(new KernelOp(new MatMul()), a, b));
    }
}
