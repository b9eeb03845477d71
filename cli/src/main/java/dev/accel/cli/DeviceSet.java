package dev.accel.cli;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * Every discovered backend with its probe result and, for the available ones, its opened devices.
 * Owns the devices and closes them in {@link #close()} (idempotent). A backend whose probe or
 * open throws is recorded with the error instead of stopping the others.
 */
final class DeviceSet implements AutoCloseable {
    /**
     * One backend.
     *
     * @param backend the backend
     * @param availability what its probe said
     * @param devices its opened devices; empty when unavailable or when open failed
     * @param openError why open failed, or empty
     */
    record Entry(Backend backend, Availability availability, List<Device> devices, String openError) {
        /** True when the backend was available and opened at least one device. */
        boolean usable() {
            return availability.available() && !devices.isEmpty();
        }
    }

    private final List<Entry> entries;
    private boolean closed;

    private DeviceSet(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Probes every backend and opens the available ones. */
    static DeviceSet open(List<Backend> backends) {
        List<Entry> entries = new ArrayList<>();
        try {
            for (Backend b : backends) {
                entries.add(openOne(b));
            }
        } catch (RuntimeException | Error e) {
            new DeviceSet(entries).close();
            throw e;
        }
        return new DeviceSet(entries);
    }

    private static Entry openOne(Backend b) {
        Availability a;
        try {
            a = b.probe();
        } catch (RuntimeException | LinkageError e) {
            return new Entry(b, Availability.unavailable("probe failed: " + describe(e),
                    "report this: a probe must not throw"), List.of(), "");
        }
        if (!a.available()) {
            return new Entry(b, a, List.of(), "");
        }
        try {
            List<Device> devices = b.open();
            if (devices.isEmpty()) {
                return new Entry(b, a, List.of(), "the backend is available but opened no device");
            }
            return new Entry(b, a, List.copyOf(devices), "");
        } catch (RuntimeException | LinkageError e) {
            return new Entry(b, a, List.of(), describe(e));
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    List<Entry> entries() {
        return entries;
    }

    /** Every opened device, in backend order. */
    List<Device> devices() {
        List<Device> all = new ArrayList<>();
        for (Entry e : entries) {
            all.addAll(e.devices());
        }
        return all;
    }

    /** The ids of every opened device, for messages. */
    List<String> deviceIds() {
        return devices().stream().map(d -> d.info().id()).toList();
    }

    /**
     * The backends that {@code ACCEL_REQUIRE} (comma- or space-separated backend ids) lists and that
     * are missing here: not on the class path, unavailable, or with no device opened. Each entry
     * reads "id (why)".
     */
    List<String> missingRequired(String require) {
        List<String> missing = new ArrayList<>();
        if (require == null) {
            return missing;
        }
        for (String id : require.split("[,\\s]+")) {
            if (id.isBlank()) {
                continue;
            }
            Entry e = entries.stream().filter(x -> x.backend().id().equals(id)).findFirst().orElse(null);
            if (e == null) {
                missing.add(id + " (not on the class path of this accel)");
            } else if (!e.availability().available()) {
                missing.add(id + " (" + e.availability().detail() + ")");
            } else if (e.devices().isEmpty()) {
                missing.add(id + " (" + e.openError() + ")");
            }
        }
        return missing;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (Entry e : entries) {
            for (Device d : e.devices()) {
                try {
                    d.close();
                } catch (RuntimeException ex) {
                    if (first == null) {
                        first = ex;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
