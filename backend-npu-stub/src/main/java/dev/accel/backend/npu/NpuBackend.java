package dev.accel.backend.npu;

import dev.accel.hal.AccelException;
import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * The NPU backend: a simulated NPU behind libaccelnpu, a vendor-style C library built with this
 * module and called through the foreign function API. Its devices compute in int8 and float16
 * only, so the partitioner gets a device that is fast at a few ops and cannot run the rest.
 *
 * <p>{@link #probe()} loads nothing: it checks that the library is in the jar (or where
 * {@code -Daccel.npu.library} points) and that native access is enabled. {@link #open()} loads the
 * library and opens every device it reports (one by default; {@code ACCELNPU_DEVICE_COUNT} sets up
 * to four).
 */
public final class NpuBackend implements Backend {
    @Override
    public String id() {
        return "npu";
    }

    @Override
    public Availability probe() {
        return NpuLibrary.probe();
    }

    @Override
    public List<Device> open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("npu backend: " + a.detail() + "; fix: " + a.fix());
        }
        try {
            NpuNative.ensureLoaded();
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof AccelException cause) {
                throw cause;
            }
            throw new BackendUnavailableException("npu backend: the binding failed to initialise: " + e.getCause(), e);
        } catch (NoClassDefFoundError e) {
            throw new BackendUnavailableException("npu backend: the binding failed to initialise earlier in this JVM ("
                    + e.getMessage() + "); the first attempt's error says why", e);
        }
        int count = NpuNative.deviceCount();
        List<Device> devices = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                devices.add(new NpuDevice(i));
            }
        } catch (RuntimeException e) {
            devices.forEach(Device::close);
            throw e;
        }
        return List.copyOf(devices);
    }
}
