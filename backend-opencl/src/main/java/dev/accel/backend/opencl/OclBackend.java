package dev.accel.backend.opencl;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL backend, through JOCL: one {@link Device} per OpenCL device of every platform,
 * numbered {@code opencl:0}, {@code opencl:1}, ... in platform then device order.
 *
 * <p>{@link #probe()} only looks for the ICD loader library on disk and whether JOCL is on the class
 * path; it loads nothing. {@link #open()} loads JOCL's native library, enumerates platforms and
 * creates a context per device.
 */
public final class OclBackend implements Backend {
    private static final System.Logger LOG = System.getLogger(OclBackend.class.getName());

    @Override
    public String id() {
        return "opencl";
    }

    @Override
    public Availability probe() {
        return probe(OclLibrary.find());
    }

    /** Probe given where (if anywhere) the loader was found; separate so tests can feed a missing loader. */
    static Availability probe(Optional<Path> loader) {
        if (loader.isEmpty()) {
            return Availability.unavailable("no OpenCL ICD loader (libOpenCL.so.1) found in the library folders or "
                    + "the linker cache", OclLibrary.FIX);
        }
        try {
            Class.forName("org.jocl.CL", false, OclBackend.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Availability.unavailable("the JOCL jar (org.jocl:jocl) is not on the class path",
                    "put org.jocl:jocl 2.0.6 on the class path next to backend-opencl");
        }
        return Availability.available("OpenCL ICD loader " + loader.get());
    }

    @Override
    public List<Device> open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("opencl backend: " + a.detail() + "; fix: " + a.fix());
        }
        List<cl_device_id> ids = new ArrayList<>();
        List<cl_platform_id> platforms = new ArrayList<>();
        try {
            CL.setExceptionsEnabled(false);
            int[] count = new int[1];
            int rc = CL.clGetPlatformIDs(0, null, count);
            if (rc != 0 || count[0] == 0) {
                throw new BackendUnavailableException("opencl backend: the ICD loader found no OpenCL platform ("
                        + (rc == 0 ? "0 platforms" : OclErrors.message("clGetPlatformIDs", rc)) + "); fix: "
                        + OclLibrary.FIX);
            }
            cl_platform_id[] ps = new cl_platform_id[count[0]];
            OclErrors.check(CL.clGetPlatformIDs(ps.length, ps, null), "clGetPlatformIDs");
            for (cl_platform_id p : ps) {
                int[] n = new int[1];
                int r = CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
                if (r == -1 || n[0] == 0) {
                    continue;
                }
                OclErrors.check(r, "clGetDeviceIDs");
                cl_device_id[] ds = new cl_device_id[n[0]];
                OclErrors.check(CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, ds.length, ds, null), "clGetDeviceIDs");
                for (cl_device_id d : ds) {
                    ids.add(d);
                    platforms.add(p);
                }
            }
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BackendUnavailableException("opencl backend: JOCL could not load its native library or the "
                    + "OpenCL loader: " + e + "; fix: " + OclLibrary.FIX, e);
        }
        if (ids.isEmpty()) {
            throw new BackendUnavailableException("opencl backend: the OpenCL platforms report no device; fix: "
                    + OclLibrary.FIX);
        }
        List<Device> devices = new ArrayList<>();
        try {
            for (int i = 0; i < ids.size(); i++) {
                devices.add(new OclDevice("opencl:" + i, platforms.get(i), ids.get(i)));
            }
        } catch (RuntimeException e) {
            for (Device d : devices) {
                d.close();
            }
            throw e;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "opened " + devices.size() + " OpenCL device(s)");
        return devices;
    }
}
