package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Opening the NPU, running one op on it, random inputs and tolerance checks, shared by the tests. */
final class NpuTestSupport {
    private NpuTestSupport() {
    }

    /** Opens npu:0; the caller closes it. */
    static NpuDevice open() {
        List<Device> devices = new NpuBackend().open();
        assertEquals(1, devices.size(), "ACCELNPU_DEVICE_COUNT is not set, so the library reports one device");
        return (NpuDevice) devices.get(0);
    }

    /** Closes the device and checks that the library holds nothing any more. */
    static void closeAndCheckNoLeak(NpuDevice device) {
        device.close();
        assertEquals(0, NpuDevice.nativeAllocationCount(), "libaccelnpu objects still alive after close");
        assertEquals(0, NpuCallbacks.pending(), "completions registered but never called");
        assertEquals(0, NpuQueue.liveStagingBlocks(), "read staging blocks not freed");
    }

    /** Writes the inputs, dispatches the spec, reads and returns the output (the caller closes it). */
    static HostTensor run(NpuDevice device, OpSpec spec, HostTensor... inputs) {
        List<DeviceBuffer> in = new ArrayList<>();
        try (Queue q = device.newQueue(); Kernel k = device.prepare(spec)) {
            for (HostTensor h : inputs) {
                DeviceBuffer b = device.allocate(h.type());
                in.add(b);
                q.write(h, b);
            }
            DeviceBuffer out = device.allocate(spec.outputs().get(0));
            HostTensor result = HostTensor.allocate(spec.outputs().get(0));
            try {
                q.dispatch(k, in, List.of(out));
                q.read(out, result).await();
            } finally {
                out.close();
            }
            return result;
        } finally {
            in.forEach(DeviceBuffer::close);
        }
    }

    /** Random values in [-range, range], stored in {@code dtype} (so F16 values are already rounded to half). */
    static HostTensor random(Random r, DType dtype, double range, int... dims) {
        HostTensor t = HostTensor.allocate(dtype, dims);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, (r.nextDouble() * 2 - 1) * range);
        }
        return t;
    }

    /** Random integers in [lo, hi]. */
    static HostTensor randomInts(Random r, DType dtype, int lo, int hi, int... dims) {
        HostTensor t = HostTensor.allocate(dtype, dims);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, lo + r.nextInt(hi - lo + 1));
        }
        return t;
    }

    static HostTensor scalar(DType dtype, double v) {
        return HostTensor.fromDoubles(dtype, Shape.scalar(), v);
    }

    static HostTensor vector(DType dtype, double... v) {
        return HostTensor.fromDoubles(dtype, Shape.of(v.length), v);
    }

    /** The spacing of float16 values around |v| (2^-24 for subnormals). */
    static double halfUlp(double v) {
        double a = Math.abs(v);
        if (a < 0x1p-14) {
            return 0x1p-24;
        }
        return Math.ulp((float) a) * 0x1p13; // float has 13 more fraction bits than half
    }

    /**
     * Checks a float16 result against a float64 reference: the result may be off by the rounding of
     * the result to half (one half ulp, with slack for a double rounding) plus the single-precision
     * accumulation error, bounded by {@code 1e-5} of the sum of |terms|.
     */
    static void assertHalfClose(String what, double[] expected, double[] magnitude, HostTensor actual) {
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double got = actual.getDouble(i);
            double tol = halfUlp(expected[i]) + 1e-5 * (magnitude == null ? 0 : magnitude[i]);
            if (!(Math.abs(got - expected[i]) <= tol)) {
                fail(what + ": element " + i + " of " + actual.type() + " is " + got + ", expected " + expected[i]
                        + " +- " + tol);
            }
        }
    }

    /**
     * Checks 8-bit results against reals to quantize with {@code scale} (per element) and the zero
     * point: exact, except where the reference lies on a rounding tie within float64 noise, where
     * either neighbour is accepted.
     */
    static void assertQuantized(String what, double[] real, double[] scale, int[] zero, HostTensor actual) {
        boolean signed = actual.dtype() == DType.I8;
        assertEquals(real.length, actual.numel(), what + ": element count");
        int ties = 0;
        for (int i = 0; i < real.length; i++) {
            int want = NpuReference.quantize(real[i], scale[i], zero[i], signed);
            int got = (int) actual.getDouble(i);
            if (NpuReference.nearTie(real[i], scale[i])) {
                ties++;
                assertTrue(Math.abs(got - want) <= 1, what + ": element " + i + " at a tie: got " + got + ", expected "
                        + want + " or a neighbour");
            } else {
                int index = i;
                assertEquals(want, got, () -> what + ": element " + index + " (real " + real[index] + ", scale "
                        + scale[index] + ", zero point " + zero[index] + ")");
            }
        }
        assertTrue(ties < real.length / 4 + 1, what + ": too many ties to be a meaningful test (" + ties + ")");
    }

    static TensorType type(DType d, int... dims) {
        return TensorType.of(d, dims);
    }
}
