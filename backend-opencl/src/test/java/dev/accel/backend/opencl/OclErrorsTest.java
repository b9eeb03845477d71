package dev.accel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.accel.hal.AccelException;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.OutOfDeviceMemoryException;
import org.junit.jupiter.api.Test;

class OclErrorsTest {
    @Test
    void namesCarryTheNumber() {
        assertEquals("CL_OUT_OF_RESOURCES (-5)", OclErrors.name(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE (-11)", OclErrors.name(-11));
        assertEquals("CL_INVALID_KERNEL_ARGS (-52)", OclErrors.name(-52));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR (-1001)", OclErrors.name(-1001));
        assertEquals("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)", OclErrors.message("clBuildProgram", -11));
    }

    @Test
    void everyStandardCodeHasAName() {
        for (int code = -1; code >= -19; code--) {
            assertFalse(OclErrors.name(code).startsWith("unknown"), "code " + code);
        }
        for (int code = -30; code >= -72; code--) {
            assertFalse(OclErrors.name(code).startsWith("unknown"), "code " + code);
        }
    }

    @Test
    void unknownCodesStillShowTheNumber() {
        assertEquals("unknown OpenCL status (-777)", OclErrors.name(-777));
    }

    @Test
    void checkThrowsTypedExceptions() {
        OclErrors.check(0, "clFinish");
        var oom = assertThrows(OutOfDeviceMemoryException.class, () -> OclErrors.check(-4, "clCreateBuffer"));
        assertEquals("clCreateBuffer failed: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)", oom.getMessage());
        assertInstanceOf(DeviceLostException.class, OclErrors.exception(-2, "x"));
        var other = assertThrows(AccelException.class, () -> OclErrors.check(-5, "clEnqueueNDRangeKernel(gemm)"));
        assertEquals("clEnqueueNDRangeKernel(gemm) failed: CL_OUT_OF_RESOURCES (-5)", other.getMessage());
    }
}
