package dev.accel.cli;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.util.List;
import java.util.function.Supplier;

/** A backend for tests: a fixed probe answer and a factory of devices (or an open failure). */
final class FakeBackend implements Backend {
    private final String id;
    private final Availability availability;
    private final Supplier<List<Device>> devices;

    FakeBackend(String id, Availability availability, Supplier<List<Device>> devices) {
        this.id = id;
        this.availability = availability;
        this.devices = devices;
    }

    /** An available backend with these devices. */
    static FakeBackend of(String id, Supplier<List<Device>> devices) {
        return new FakeBackend(id, Availability.available("fake " + id + " driver"), devices);
    }

    /** An unavailable backend with a reason and a fix. */
    static FakeBackend unavailable(String id, String reason, String fix) {
        return new FakeBackend(id, Availability.unavailable(reason, fix), () -> {
            throw new BackendUnavailableException(id + " is unavailable");
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Availability probe() {
        return availability;
    }

    @Override
    public List<Device> open() {
        return devices.get();
    }
}
