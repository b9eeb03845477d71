package dev.accel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared helpers: opening opencl:0 (skipping when no OpenCL platform exists, failing instead when
 * ACCEL_REQUIRE names opencl), running one op on host tensors, and comparing with references.
 */
final class OclTestSupport {
    private OclTestSupport() {
    }

    /** True when the environment requires the OpenCL backend to be present. */
    static boolean required() {
        String req = System.getenv("ACCEL_REQUIRE");
        return req != null && List.of(req.toLowerCase().split("[,\\s]+")).contains("opencl");
    }

    /** Every OpenCL device, or a skip (a failure when required) when there is none. */
    static List<Device> openAll() {
        OclBackend b = new OclBackend();
        var a = b.probe();
        if (!a.available()) {
            if (required()) {
                fail("ACCEL_REQUIRE contains opencl but the backend is unavailable: " + a);
            }
            Assumptions.abort("skipped, reason: no OpenCL here (" + a + "); set ACCEL_REQUIRE=opencl to make this a failure");
        }
        try {
            return b.open();
        } catch (BackendUnavailableException e) {
            if (required()) {
                fail("ACCEL_REQUIRE contains opencl but no OpenCL platform was found: " + e.getMessage(), e);
            }
            Assumptions.abort("skipped, reason: no OpenCL platform here (" + e.getMessage() + "); set ACCEL_REQUIRE=opencl to make this a failure");
            throw e;
        }
    }

    /** opencl:0; the other devices are closed. */
    static OclDevice open() {
        List<Device> all = openAll();
        for (int i = 1; i < all.size(); i++) {
            all.get(i).close();
        }
        return (OclDevice) all.getFirst();
    }

    /** Runs {@code op} on {@code inputs} and returns the outputs as host tensors (caller closes them). */
    static List<HostTensor> run(Device d, Op op, HostTensor... inputs) {
        List<TensorType> types = new ArrayList<>();
        for (HostTensor h : inputs) {
            types.add(h.type());
        }
        OpSpec spec = OpSpec.of(op, types);
        List<DeviceBuffer> ins = new ArrayList<>();
        List<DeviceBuffer> outs = new ArrayList<>();
        try (Kernel k = d.prepare(spec); Queue q = d.newQueue()) {
            for (HostTensor h : inputs) {
                DeviceBuffer b = d.allocate(h.type());
                ins.add(b);
                q.write(h, b);
            }
            for (TensorType t : spec.outputs()) {
                outs.add(d.allocate(t));
            }
            q.dispatch(k, ins, outs);
            List<HostTensor> result = new ArrayList<>();
            for (DeviceBuffer b : outs) {
                HostTensor h = HostTensor.allocate(b.type());
                q.read(b, h);
                result.add(h);
            }
            q.finish();
            return result;
        } finally {
            ins.forEach(DeviceBuffer::close);
            outs.forEach(DeviceBuffer::close);
        }
    }

    /** The single output of {@code op}. */
    static HostTensor run1(Device d, Op op, HostTensor... inputs) {
        return run(d, op, inputs).getFirst();
    }

    /** A tensor of uniform values in [lo, hi), stored in {@code dtype}. */
    static HostTensor random(Random r, DType dtype, double lo, double hi, int... dims) {
        HostTensor h = HostTensor.allocate(dtype, dims);
        for (long i = 0; i < h.numel(); i++) {
            h.setDouble(i, lo + (hi - lo) * r.nextDouble());
        }
        return h;
    }

    /** A tensor of random integers in [lo, hi]. */
    static HostTensor randomInt(Random r, DType dtype, int lo, int hi, int... dims) {
        HostTensor h = HostTensor.allocate(dtype, dims);
        for (long i = 0; i < h.numel(); i++) {
            h.setDouble(i, lo + r.nextInt(hi - lo + 1));
        }
        return h;
    }

    static HostTensor scalar(DType dtype, double v) {
        HostTensor h = HostTensor.allocate(TensorType.of(dtype));
        h.setDouble(0, v);
        return h;
    }

    static HostTensor of(DType dtype, int[] dims, double... values) {
        return HostTensor.fromDoubles(dtype, Shape.of(dims), values);
    }

    /** Absolute tolerance plus relative tolerance per dtype of the result. */
    static double tolerance(DType d) {
        return switch (d) {
            case F32 -> 2e-5;
            case F16 -> 2e-3;
            case BF16 -> 1.6e-2;
            default -> 0;
        };
    }

    /**
     * Asserts {@code actual} equals {@code expected} (double values in row-major order), element by
     * element within |a - e| <= tol * (1 + |e|); NaN must match NaN, infinities must match exactly.
     */
    static void assertClose(double[] expected, HostTensor actual, double tol, String what) {
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual.getDouble(i);
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                if (Double.compare(e, a) != 0 && !(Double.isNaN(e) && Double.isNaN(a))) {
                    fail(what + ": element " + i + " is " + a + ", expected " + e);
                }
                continue;
            }
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
                fail(what + ": element " + i + " is " + a + ", expected " + e + " (tolerance " + tol + ")");
            }
        }
    }

    /** Asserts every element within {@code abs} of the expected value (integer outputs of requantizing ops). */
    static void assertWithin(double[] expected, HostTensor actual, double abs, String what) {
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double a = actual.getDouble(i);
            if (!(Math.abs(a - expected[i]) <= abs)) {
                fail(what + ": element " + i + " is " + a + ", expected " + expected[i] + " (within " + abs + ")");
            }
        }
    }

    static void assertClose(double[] expected, HostTensor actual, String what) {
        assertClose(expected, actual, tolerance(actual.dtype()), what);
    }

    /** The expected values rounded to the storage dtype, for references computed in double. */
    static double[] rounded(DType d, double[] v) {
        HostTensor h = HostTensor.allocate(d, v.length);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            h.setDouble(i, v[i]);
            out[i] = h.getDouble(i);
        }
        h.close();
        return out;
    }
}
