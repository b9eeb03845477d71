package dev.accel.backend.cpu;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.util.List;

/**
 * The CPU backend: one device, the host's cores, running Vector API kernels. Always available when
 * the JVM was started with {@code --add-modules jdk.incubator.vector}; without it, probe says so.
 */
public final class CpuBackend implements Backend {
    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public Availability probe() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Availability.unavailable("the JVM was started without the Vector API module",
                    "start java with --add-modules jdk.incubator.vector (./accel does this)");
        }
        return Availability.available(CpuDevice.vectorDescription() + ", " + CpuParallel.THREADS + " threads");
    }

    @Override
    public List<Device> open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("cpu backend: " + a.detail() + "; fix: " + a.fix());
        }
        return List.of(new CpuDevice("cpu:0"));
    }
}
