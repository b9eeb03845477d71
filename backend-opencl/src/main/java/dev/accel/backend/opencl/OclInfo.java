package dev.accel.backend.opencl;

import java.nio.charset.StandardCharsets;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Facts about one OpenCL device, queried once when the device opens. Immutable.
 *
 * @param name the device's name
 * @param vendor its vendor
 * @param driverVersion the driver's version string (part of the program cache key)
 * @param deviceVersion "OpenCL 3.0 ..." as the device reports it
 * @param platformName the platform's name
 * @param platformVersion "OpenCL 3.0 ..." as the platform reports it
 * @param type CL_DEVICE_TYPE bits
 * @param extensions the extension list, space separated
 * @param computeUnits CL_DEVICE_MAX_COMPUTE_UNITS
 * @param clockMhz CL_DEVICE_MAX_CLOCK_FREQUENCY
 * @param globalMemBytes CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocBytes CL_DEVICE_MAX_MEM_ALLOC_SIZE
 * @param localMemBytes CL_DEVICE_LOCAL_MEM_SIZE
 * @param maxWorkGroupSize CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param maxWorkItemSizes CL_DEVICE_MAX_WORK_ITEM_SIZES (three entries)
 * @param hostUnifiedMemory CL_DEVICE_HOST_UNIFIED_MEMORY (false where the query is not answered)
 * @param nativeFloatWidth CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT
 * @param localMemType CL_DEVICE_LOCAL_MEM_TYPE: CL_LOCAL (1) for dedicated memory, CL_GLOBAL (2)
 */
record OclInfo(String name, String vendor, String driverVersion, String deviceVersion, String platformName,
               String platformVersion, long type, String extensions, int computeUnits, int clockMhz,
               long globalMemBytes, long maxAllocBytes, long localMemBytes, long maxWorkGroupSize,
               long[] maxWorkItemSizes, boolean hostUnifiedMemory, int nativeFloatWidth, int localMemType) {

    /** Queries every field from the driver. */
    @SuppressWarnings("deprecation") // CL_DEVICE_HOST_UNIFIED_MEMORY: deprecated in 2.0, still the only such query
    static OclInfo query(cl_platform_id platform, cl_device_id d) {
        long[] items = new long[3];
        int dims = intValue(d, CL.CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS);
        long[] all = new long[Math.max(3, dims)];
        OclErrors.check(CL.clGetDeviceInfo(d, CL.CL_DEVICE_MAX_WORK_ITEM_SIZES, (long) Sizeof.size_t * all.length,
                Pointer.to(all), null), "clGetDeviceInfo(CL_DEVICE_MAX_WORK_ITEM_SIZES)");
        System.arraycopy(all, 0, items, 0, 3);
        int[] unified = new int[1];
        boolean hostUnified = CL.clGetDeviceInfo(d, CL.CL_DEVICE_HOST_UNIFIED_MEMORY, Sizeof.cl_int,
                Pointer.to(unified), null) == 0 && unified[0] != 0;
        return new OclInfo(string(d, CL.CL_DEVICE_NAME), string(d, CL.CL_DEVICE_VENDOR),
                string(d, CL.CL_DRIVER_VERSION), string(d, CL.CL_DEVICE_VERSION),
                platformString(platform, CL.CL_PLATFORM_NAME), platformString(platform, CL.CL_PLATFORM_VERSION),
                longValue(d, CL.CL_DEVICE_TYPE), string(d, CL.CL_DEVICE_EXTENSIONS),
                intValue(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS), intValue(d, CL.CL_DEVICE_MAX_CLOCK_FREQUENCY),
                longValue(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE), longValue(d, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                longValue(d, CL.CL_DEVICE_LOCAL_MEM_SIZE), sizeValue(d, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE), items,
                hostUnified, intValue(d, CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT),
                intValue(d, CL.CL_DEVICE_LOCAL_MEM_TYPE));
    }

    /** True when the device lists the extension. */
    boolean hasExtension(String ext) {
        for (String e : extensions.split(" ")) {
            if (e.equals(ext)) {
                return true;
            }
        }
        return false;
    }

    /** True when local memory is dedicated on-chip memory rather than ordinary global memory. */
    boolean dedicatedLocalMemory() {
        return localMemType == CL.CL_LOCAL;
    }

    boolean isCpu() {
        return (type & CL.CL_DEVICE_TYPE_CPU) != 0;
    }

    boolean isGpu() {
        return (type & CL.CL_DEVICE_TYPE_GPU) != 0;
    }

    /** The platform's OpenCL major version, from "OpenCL 3.0 ...". */
    int platformMajor() {
        return majorOf(platformVersion);
    }

    /** The device's OpenCL major version. */
    int deviceMajor() {
        return majorOf(deviceVersion);
    }

    private static int majorOf(String v) {
        String[] parts = v.split(" ");
        if (parts.length > 1) {
            int dot = parts[1].indexOf('.');
            try {
                return Integer.parseInt(dot < 0 ? parts[1] : parts[1].substring(0, dot));
            } catch (NumberFormatException e) {
                return 1;
            }
        }
        return 1;
    }

    static String string(cl_device_id d, int param) {
        long[] size = new long[1];
        OclErrors.check(CL.clGetDeviceInfo(d, param, 0, null, size), "clGetDeviceInfo(" + param + ")");
        byte[] buf = new byte[(int) size[0]];
        OclErrors.check(CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null), "clGetDeviceInfo(" + param + ")");
        return trimNul(buf);
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        OclErrors.check(CL.clGetPlatformInfo(p, param, 0, null, size), "clGetPlatformInfo(" + param + ")");
        byte[] buf = new byte[(int) size[0]];
        OclErrors.check(CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null),
                "clGetPlatformInfo(" + param + ")");
        return trimNul(buf);
    }

    static long longValue(cl_device_id d, int param) {
        long[] v = new long[1];
        OclErrors.check(CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null), "clGetDeviceInfo(" + param + ")");
        return v[0];
    }

    static long sizeValue(cl_device_id d, int param) {
        long[] v = new long[1];
        OclErrors.check(CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null), "clGetDeviceInfo(" + param + ")");
        return v[0];
    }

    static int intValue(cl_device_id d, int param) {
        int[] v = new int[1];
        OclErrors.check(CL.clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null), "clGetDeviceInfo(" + param + ")");
        return v[0];
    }

    private static String trimNul(byte[] buf) {
        int n = buf.length;
        while (n > 0 && buf[n - 1] == 0) {
            n--;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
