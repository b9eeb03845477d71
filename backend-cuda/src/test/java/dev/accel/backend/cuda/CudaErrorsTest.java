package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.OutOfDeviceMemoryException;
import org.junit.jupiter.api.Test;

/** CUresult codes become names and typed exceptions, without a driver. */
class CudaErrorsTest {
    @Test
    void codesAreNamedWithTheirNumber() {
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY (2)", CudaErrors.name(2));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS (700)", CudaErrors.name(700));
        assertEquals("CUDA_ERROR_NO_BINARY_FOR_GPU (209)", CudaErrors.name(209));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222)", CudaErrors.name(222));
        assertEquals("CUDA_SUCCESS (0)", CudaErrors.name(0));
        assertEquals("CUresult 123456", CudaErrors.name(123456));
    }

    @Test
    void failuresBecomeTypedExceptionsThatNameTheCallAndTheCode() {
        AccelException oom = CudaErrors.exception(2, "cuMemAlloc of 4096 bytes on cuda:0");
        assertInstanceOf(OutOfDeviceMemoryException.class, oom);
        assertEquals("cuMemAlloc of 4096 bytes on cuda:0 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", oom.getMessage());
        AccelException lost = CudaErrors.exception(700, "cuEventSynchronize");
        assertInstanceOf(DeviceLostException.class, lost);
        assertTrue(lost.getMessage().startsWith("cuEventSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700); the CUDA context is unusable"),
                lost.getMessage());
        AccelException none = CudaErrors.exception(100, "cuInit");
        assertInstanceOf(BackendUnavailableException.class, none);
        assertTrue(none.getMessage().contains("CUDA_ERROR_NO_DEVICE (100)") && none.getMessage().contains("nvidia-smi"), none.getMessage());
        AccelException other = CudaErrors.exception(1, "cuLaunchKernel");
        assertEquals(AccelException.class, other.getClass());
        assertEquals("cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE (1)", other.getMessage());
    }

    @Test
    void checkPassesSuccessAndThrowsTheRest() {
        CudaErrors.check(0, "anything");
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class, () -> CudaErrors.check(2, "cuMemHostAlloc"));
        assertTrue(e.getMessage().endsWith("CUDA_ERROR_OUT_OF_MEMORY (2)"));
    }

    @Test
    void binaryMismatchCodesLetTheLoaderTryNvrtc() {
        assertTrue(CudaErrors.binaryMismatch(209));
        assertTrue(CudaErrors.binaryMismatch(222));
        assertTrue(CudaErrors.binaryMismatch(218));
        assertFalse(CudaErrors.binaryMismatch(2));
        assertFalse(CudaErrors.binaryMismatch(0));
    }
}
