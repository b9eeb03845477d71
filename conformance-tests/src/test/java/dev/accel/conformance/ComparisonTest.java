package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Transpose;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {
    private static final Tolerance REL = new Tolerance(Tolerance.Kind.RELATIVE, 1e-4);

    @Test
    void relativeErrorIsJudgedAgainstTheOutputsRms() {
        // rms of the reference is 1 (values 1 and -1 and 1 and -1); 1e-5 absolute near zero passes, 1e-3 fails.
        double[] ref = {1, -1, 1, -1, 0};
        Comparison ok = Comparison.of(new double[] {1, -1, 1, -1, 1e-5}, ref, REL);
        assertTrue(ok.ok(), ok.detail());
        Comparison bad = Comparison.of(new double[] {1, -1, 1, -1, 1e-3}, ref, REL);
        assertFalse(bad.ok());
        assertEquals(1, bad.bad());
        assertTrue(bad.detail().contains("worst at flat index 4: device 0.00100000000, reference 0"), bad.detail());
    }

    @Test
    void nonFiniteValuesMustMatchExactly() {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        assertTrue(Comparison.of(new double[] {nan, inf, -inf}, new double[] {nan, inf, -inf}, REL).ok());
        Comparison c = Comparison.of(new double[] {1, inf}, new double[] {nan, -inf}, REL);
        assertEquals(2, c.bad());
        assertEquals(inf, c.maxAbsError());
        assertFalse(Comparison.of(new double[] {nan}, new double[] {1}, REL).ok());
    }

    @Test
    void exactAndAbsoluteKinds() {
        Tolerance exact = new Tolerance(Tolerance.Kind.EXACT, 0);
        Tolerance one = new Tolerance(Tolerance.Kind.ABSOLUTE, 1);
        assertTrue(Comparison.of(new double[] {3, -0.0}, new double[] {3, 0.0}, exact).ok());
        assertFalse(Comparison.of(new double[] {3.0000001}, new double[] {3}, exact).ok());
        assertTrue(Comparison.of(new double[] {4, 2}, new double[] {3, 3}, one).ok());
        assertFalse(Comparison.of(new double[] {5}, new double[] {3}, one).ok());
        assertFalse(Comparison.of(new double[] {1, 2}, new double[] {1}, one).ok(), "lengths differ");
    }

    @Test
    void tolerancesAreDeclaredPerDtypeAndOpKind() {
        assertEquals(new Tolerance(Tolerance.Kind.RELATIVE, 1e-4), Tolerances.of(new Binary(Binary.Kind.ADD), DType.F32));
        assertEquals(new Tolerance(Tolerance.Kind.RELATIVE, 1e-2), Tolerances.of(new Binary(Binary.Kind.ADD), DType.F16));
        assertEquals(new Tolerance(Tolerance.Kind.RELATIVE, 5e-2), Tolerances.of(new Binary(Binary.Kind.ADD), DType.BF16));
        assertEquals(Tolerance.Kind.EXACT, Tolerances.of(new Transpose(List.of()), DType.F16).kind());
        assertEquals(Tolerance.Kind.EXACT, Tolerances.of(new Cast(DType.F16), DType.F16).kind());
        assertEquals(Tolerance.Kind.EXACT, Tolerances.of(new MatMulInteger(), DType.I32).kind());
        assertEquals(new Tolerance(Tolerance.Kind.ABSOLUTE, 1), Tolerances.of(new QuantizeLinear(0), DType.U8));
    }
}
