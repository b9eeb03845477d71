package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the device tests: opens vulkan:0 once per test class (skipping with the reason when no
 * Vulkan device exists, failing instead when ACCEL_REQUIRE names "vulkan"), fails any test after
 * which the Khronos validation layer reported a warning or error, and runs single ops end to end.
 */
abstract class VulkanTestSupport {
    static VulkanDevice device;
    static Queue queue;
    private static String missing;

    @BeforeAll
    static void openDevice() {
        try {
            device = open();
            queue = device.newQueue();
        } catch (BackendUnavailableException e) {
            missing = e.getMessage();
        }
    }

    @BeforeEach
    void requireDevice() {
        if (device == null) {
            skipOrFail(missing);
        }
    }

    /** vulkan:0 of a fresh backend instance; the caller closes it. */
    static VulkanDevice open() {
        List<Device> devices = new VulkanBackend().open();
        for (int i = 1; i < devices.size(); i++) {
            devices.get(i).close();
        }
        return (VulkanDevice) devices.get(0);
    }

    /** Skips the test with the reason, or fails it when ACCEL_REQUIRE names vulkan. */
    static void skipOrFail(String reason) {
        String require = System.getenv("ACCEL_REQUIRE");
        if (require != null && Arrays.asList(require.split(",")).contains("vulkan")) {
            fail("ACCEL_REQUIRE contains vulkan but no Vulkan device is usable: " + reason);
        }
        Assumptions.abort("no Vulkan device on this machine, skipping: " + reason);
    }

    @AfterEach
    void noValidationMessages() {
        if (device != null) {
            List<String> msgs = device.validationMessages();
            device.instance().clearValidationMessages();
            assertTrue(msgs.isEmpty(), "Vulkan validation layer reported:\n" + String.join("\n", msgs));
        }
    }

    @AfterAll
    static void closeDevice() {
        if (device != null) {
            device.close();
            List<String> msgs = device.validationMessages();
            device = null;
            assertTrue(msgs.isEmpty(), "Vulkan validation layer reported while closing:\n" + String.join("\n", msgs));
        }
    }

    /** Runs {@code op} on the inputs and returns its outputs (the caller closes them). */
    static HostTensor[] run(Op op, HostTensor... inputs) {
        List<TensorType> types = new ArrayList<>();
        for (HostTensor t : inputs) {
            types.add(t.type());
        }
        OpSpec spec = OpSpec.of(op, types);
        List<DeviceBuffer> in = new ArrayList<>();
        List<DeviceBuffer> out = new ArrayList<>();
        try (Kernel k = device.prepare(spec)) {
            for (HostTensor t : inputs) {
                DeviceBuffer b = device.allocate(t.type());
                in.add(b);
                queue.write(t, b);
            }
            for (TensorType t : spec.outputs()) {
                out.add(device.allocate(t));
            }
            queue.dispatch(k, in, out);
            HostTensor[] result = new HostTensor[out.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = HostTensor.allocate(spec.outputs().get(i));
                queue.read(out.get(i), result[i]);
            }
            queue.finish();
            return result;
        } finally {
            in.forEach(DeviceBuffer::close);
            out.forEach(DeviceBuffer::close);
        }
    }

    /** Random values in [lo, hi) stored in {@code dtype} (so the test's reference reads exactly what the device reads). */
    static HostTensor random(Random rnd, DType dtype, double lo, double hi, int... dims) {
        HostTensor t = HostTensor.allocate(dtype, dims);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, lo + (hi - lo) * rnd.nextDouble());
        }
        return t;
    }

    static HostTensor tensor(DType dtype, int[] dims, double... values) {
        return HostTensor.fromDoubles(dtype, Shape.of(dims), values);
    }

    /** Tolerances per dtype: |got - want| <= abs + rel * |want|. */
    record Tol(double abs, double rel) {
        static Tol of(DType d) {
            return switch (d) {
                case F32 -> new Tol(1e-5, 1e-4);
                case F16 -> new Tol(1e-3, 2e-3);
                case BF16 -> new Tol(1e-2, 1e-2);
                default -> new Tol(0, 0);
            };
        }
    }

    /**
     * Asserts the device's output equals a double reference after rounding the reference to the
     * output dtype, within the dtype's tolerance; NaN must match NaN.
     */
    static void assertClose(String what, double[] want, HostTensor got, Tol tol) {
        assertEquals(want.length, got.numel(), what + ": element count");
        HostTensor rounded = HostTensor.allocate(got.type());
        try (rounded) {
            int bad = 0;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < want.length; i++) {
                rounded.setDouble(i, want[i]);
                double w = got.dtype().isFloat() ? rounded.getDouble(i) : want[i];
                double g = got.getDouble(i);
                boolean ok = Double.isNaN(w) ? Double.isNaN(g)
                        : (w == g || Math.abs(g - w) <= tol.abs() + tol.rel() * Math.abs(w));
                if (!ok && bad++ < 8) {
                    sb.append(String.format("%n  [%d] got %s, want %s", i, g, w));
                }
            }
            assertEquals(0, bad, what + " (" + got.type() + "): " + bad + " of " + want.length + " elements differ" + sb);
        }
    }

    static void assertClose(String what, double[] want, HostTensor got) {
        assertClose(what, want, got, Tol.of(got.dtype()));
    }
}
