package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksTest {
    private static final OpSpec MATMUL = OpSpec.of(new MatMul(), TensorType.of(DType.F32, 2, 3), TensorType.of(DType.F32, 3, 4));

    @Test
    void constantsMustMatchTheirInput() {
        try (HostTensor w = HostTensor.allocate(DType.F32, 3, 4);
             HostTensor wrong = HostTensor.allocate(DType.F32, 4, 3)) {
            assertDoesNotThrow(() -> Checks.constants(MATMUL, Map.of(1, w)));
            assertDoesNotThrow(() -> Checks.constants(MATMUL, Map.of()));
            var typeError = assertThrows(InvalidArgumentException.class, () -> Checks.constants(MATMUL, Map.of(1, wrong)));
            assertTrue(typeError.getMessage().contains("constant input 1 is float32[4, 3]"), typeError.getMessage());
            var rangeError = assertThrows(InvalidArgumentException.class, () -> Checks.constants(MATMUL, Map.of(2, w)));
            assertTrue(rangeError.getMessage().contains("index 2 is out of range"), rangeError.getMessage());
        }
    }
}
