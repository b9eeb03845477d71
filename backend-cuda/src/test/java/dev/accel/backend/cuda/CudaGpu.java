package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.accel.hal.Availability;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * Opens the first GPU for the GPU tests. Without one the tests are skipped with the probe's
 * reason; when the environment variable {@code ACCEL_REQUIRE} lists {@code cuda}, they fail
 * instead, so a machine that should have a GPU cannot pass by skipping.
 */
final class CudaGpu {
    private CudaGpu() {
    }

    /**
     * Runs {@code work} with {@code accel.cuda.blas=off}, so that what it prepares runs this
     * backend's own GEMM kernels, and puts the property back as it was.
     */
    static <T> T withCublasOff(Supplier<T> work) {
        String old = System.getProperty("accel.cuda.blas");
        System.setProperty("accel.cuda.blas", "off");
        try {
            return work.get();
        } finally {
            if (old == null) {
                System.clearProperty("accel.cuda.blas");
            } else {
                System.setProperty("accel.cuda.blas", old);
            }
        }
    }

    static boolean required() {
        String req = System.getenv("ACCEL_REQUIRE");
        return req != null && Arrays.stream(req.split(",")).map(String::trim).anyMatch("cuda"::equals);
    }

    /** cuda:0, which the caller closes; skips or fails (see the class comment) when there is none. */
    static CudaDevice open() {
        CudaDevice d = tryOpen();
        assume(d);
        return d;
    }

    private static String unavailable = "";

    /**
     * cuda:0, or null when this machine has no usable GPU (then {@link #assume} skips with the
     * reason); fails at once when ACCEL_REQUIRE lists cuda.
     */
    static CudaDevice tryOpen() {
        CudaBackend backend = new CudaBackend();
        Availability a = backend.probe();
        if (!a.available()) {
            if (required()) {
                fail("ACCEL_REQUIRE lists cuda, but the CUDA backend is " + a);
            }
            unavailable = "no CUDA GPU here: " + a;
            return null;
        }
        List<Device> devices;
        try {
            devices = backend.open();
        } catch (BackendUnavailableException e) {
            if (required()) {
                throw e;
            }
            unavailable = "the CUDA backend cannot open a GPU here: " + e.getMessage();
            return null;
        }
        for (int i = 1; i < devices.size(); i++) {
            devices.get(i).close();
        }
        return (CudaDevice) devices.getFirst();
    }

    /** Skips the calling test, with the probe's reason, when {@code device} is null. */
    static void assume(CudaDevice device) {
        if (device == null) {
            Assumptions.abort(unavailable); // the reason: the probe's message, e.g. no NVIDIA driver
        }
    }

    /** Runs {@code kernel} once on {@code inputs} and returns its outputs in host memory (caller closes them). */
    static List<HostTensor> run(Device device, Queue q, Kernel kernel, List<HostTensor> inputs) {
        List<DeviceBuffer> in = new ArrayList<>();
        List<DeviceBuffer> out = new ArrayList<>();
        try {
            for (HostTensor t : inputs) {
                DeviceBuffer b = device.allocate(t.type());
                in.add(b);
                q.write(t, b);
            }
            for (TensorType t : kernel.spec().outputs()) {
                out.add(device.allocate(t));
            }
            q.dispatch(kernel, in, out);
            List<HostTensor> result = new ArrayList<>();
            Fence last = null;
            for (DeviceBuffer b : out) {
                HostTensor h = HostTensor.allocate(b.type());
                result.add(h);
                last = q.read(b, h);
            }
            if (last != null) {
                last.await();
            }
            q.finish();
            return result;
        } finally {
            in.forEach(DeviceBuffer::close);
            out.forEach(DeviceBuffer::close);
        }
    }
}
