package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import org.junit.jupiter.api.Test;

/** Declared performance figures derived from driver attributes. */
class CudaFactsTest {
    @Test
    void anH100SxmDeclaresItsDataSheetPeaksAndBandwidth() {
        CudaFacts h100 = new CudaFacts("NVIDIA H100 80GB HBM3", new CudaArch(9, 0), 132, 1_980_000, 2_619_000, 5120, 50 << 20,
                80L << 30, false, 227 << 10, true, "12.8");
        DeviceProfile p = h100.profile();
        assertEquals(132 * 128 * 2 * 1.98e9, p.peak(DType.F32), 1e6);
        assertEquals(132 * 4096 * 1.98e9, p.peak(DType.F16), 1e6);
        assertEquals(2 * 2.619e9 * 640, p.memoryBandwidth(), 1e6);
        assertFalse(p.measured());
        assertEquals("9.0", h100.details().get("compute capability"));
        assertEquals("wgmma m64n128k16 (row-major operands), mma.sync m16n8k16 (other layouts, convolution)",
                h100.details().get("tensor-core GEMM (F16, BF16)"));
    }

    @Test
    void olderPartsDeclareFewerLanesAndNoTensorCoreBf16() {
        CudaFacts a100 = new CudaFacts("A100", new CudaArch(8, 0), 108, 1_410_000, 1_215_000, 5120, 40 << 20, 40L << 30, false,
                163 << 10, true, "12.8");
        assertEquals(108 * 64 * 2 * 1.41e9, a100.profile().peak(DType.F32), 1e6);
        assertEquals(108 * 2048 * 1.41e9, a100.profile().peak(DType.F16), 1e6);
        assertEquals("mma.sync m16n8k16", a100.details().get("tensor-core GEMM (F16, BF16)"));
        CudaFacts t4 = new CudaFacts("T4", new CudaArch(7, 5), 40, 1_590_000, 5_001_000, 256, 4 << 20, 15L << 30, false, 64 << 10,
                true, "12.8");
        assertEquals(t4.profile().peak(DType.F32), t4.profile().peak(DType.BF16), 1e6);
        assertEquals("no (compute capability < 8.0)", t4.details().get("tensor-core GEMM (F16, BF16)"));
    }
}
