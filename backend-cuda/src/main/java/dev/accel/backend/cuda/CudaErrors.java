package dev.accel.backend.cuda;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.OutOfDeviceMemoryException;
import jcuda.driver.CUresult;

/**
 * CUDA driver result codes: their names ({@code "CUDA_ERROR_OUT_OF_MEMORY (2)"}) and the typed
 * exception each one becomes. Names come from JCuda's {@link CUresult} constants, which load no
 * native code, so this class works on machines without a driver.
 */
final class CudaErrors {
    private CudaErrors() {
    }

    /** The code's name and number, {@code "CUDA_ERROR_OUT_OF_MEMORY (2)"}; unknown codes read {@code "CUresult 12345"}. */
    static String name(int code) {
        String s = CUresult.stringFor(code);
        if (s == null || s.startsWith("INVALID")) {
            return "CUresult " + code;
        }
        return s + " (" + code + ")";
    }

    /**
     * Throws the exception for {@code code} unless it is {@code CUDA_SUCCESS}.
     *
     * @param what the failed call and its arguments, as the message's start ("cuMemAlloc of 4096 bytes on cuda:0")
     */
    static void check(int code, String what) {
        if (code != CUresult.CUDA_SUCCESS) {
            throw exception(code, what);
        }
    }

    /** The typed exception for a failed driver call: out of memory, device lost, unavailable, or the generic one. */
    static AccelException exception(int code, String what) {
        String msg = what + " failed: " + name(code);
        return switch (code) {
            case CUresult.CUDA_ERROR_OUT_OF_MEMORY -> new OutOfDeviceMemoryException(msg);
            case CUresult.CUDA_ERROR_NO_DEVICE, CUresult.CUDA_ERROR_NOT_INITIALIZED, CUresult.CUDA_ERROR_DEINITIALIZED,
                 CUresult.CUDA_ERROR_STUB_LIBRARY,
                 CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE, CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH,
                 CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, CUresult.CUDA_ERROR_SYSTEM_NOT_READY,
                 CUresult.CUDA_ERROR_INVALID_DEVICE -> new BackendUnavailableException(msg + unavailableHint(code));
            case CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED, CUresult.CUDA_ERROR_ECC_UNCORRECTABLE,
                 CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR, CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION,
                 CUresult.CUDA_ERROR_MISALIGNED_ADDRESS, CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE,
                 CUresult.CUDA_ERROR_INVALID_PC, CUresult.CUDA_ERROR_ASSERT, CUresult.CUDA_ERROR_LAUNCH_TIMEOUT,
                 CUresult.CUDA_ERROR_CONTEXT_IS_DESTROYED, CUresult.CUDA_ERROR_NVLINK_UNCORRECTABLE ->
                    new DeviceLostException(msg + "; the CUDA context is unusable from here on: close the device and open it again");
            default -> new AccelException(msg);
        };
    }

    private static String unavailableHint(int code) {
        return switch (code) {
            case CUresult.CUDA_ERROR_NO_DEVICE -> "; no CUDA-capable GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
            case CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH ->
                    "; the NVIDIA driver is older than this program needs or does not match its kernel module: update the driver";
            case CUresult.CUDA_ERROR_STUB_LIBRARY -> "; libcuda.so.1 is the toolkit's stub, not a driver: install the NVIDIA driver";
            default -> "; check the NVIDIA driver with nvidia-smi";
        };
    }

    /** True for the codes a module load gives when its binary does not fit this GPU or driver, so another binary may. */
    static boolean binaryMismatch(int code) {
        return code == CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU || code == CUresult.CUDA_ERROR_INVALID_PTX
                || code == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION || code == CUresult.CUDA_ERROR_INVALID_IMAGE
                || code == CUresult.CUDA_ERROR_JIT_COMPILER_NOT_FOUND || code == CUresult.CUDA_ERROR_INVALID_SOURCE;
    }
}
