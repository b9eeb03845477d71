package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class HostTensorTest {
    @Test
    void allocatesAlignedZeroedMemory() {
        try (HostTensor t = HostTensor.allocate(DType.F32, 3, 5)) {
            assertEquals(60, t.segment().byteSize());
            assertEquals(0, t.segment().address() % HostTensor.ALIGNMENT);
            assertEquals(0.0, t.getDouble(14));
        }
    }

    @Test
    void convertsOnStoreForEveryDType() {
        try (HostTensor i8 = HostTensor.fromDoubles(DType.I8, Shape.of(5), 1.5, 2.5, -300, 127.4, Double.NaN);
             HostTensor u8 = HostTensor.fromDoubles(DType.U8, Shape.of(3), -1, 255.6, 200);
             HostTensor b = HostTensor.fromDoubles(DType.BOOL, Shape.of(2), 0, -0.5);
             HostTensor h = HostTensor.fromFloats(DType.F16, Shape.of(1), 0.1f)) {
            assertArrayEquals(new double[] {2, 2, -128, 127, 0}, i8.toDoubleArray(), "round half even, saturate, NaN to 0");
            assertArrayEquals(new double[] {0, 255, 200}, u8.toDoubleArray());
            assertArrayEquals(new double[] {0, 1}, b.toDoubleArray());
            assertEquals(Half.f16ToFloat(Half.floatToF16(0.1f)), h.getFloat(0));
        }
    }

    @Test
    void closeIsIdempotentAndWrapBorrows() {
        HostTensor t = HostTensor.allocate(DType.I32, 2);
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, () -> t.getDouble(0));
        try (Arena a = Arena.ofConfined()) {
            var seg = a.allocate(8);
            HostTensor w = HostTensor.wrap(TensorType.of(DType.F32, 2), seg);
            w.setFloat(1, 7f);
            w.close();
            assertEquals(7f, w.getFloat(1), "closing a borrowing tensor frees nothing");
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> HostTensor.wrap(TensorType.of(DType.F32, 3), seg));
            assertTrue(e.getMessage().contains("8 bytes") && e.getMessage().contains("12"), e.getMessage());
        }
    }

    @Test
    void rejectsWrongValueCount() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> HostTensor.fromFloats(DType.F32, Shape.of(2, 2), 1f, 2f));
        assertTrue(e.getMessage().contains("2 values") && e.getMessage().contains("holds 4"), e.getMessage());
    }
}
