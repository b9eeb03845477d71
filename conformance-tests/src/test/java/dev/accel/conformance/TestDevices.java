package dev.accel.conformance;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every device of every available backend on the test class path, opened once for a test class.
 * Required backends ({@value RequiredBackends#ENV}) that cannot run are listed as problems; other
 * backends that cannot run are listed as skips with their reason and fix.
 */
final class TestDevices implements AutoCloseable {
    /** An opened device and the backend it came from (to open a second device object). */
    record Opened(Backend backend, int index, Device device) {
        /** Opens the backend again and returns its device of the same index: a distinct device object. */
        Device openAgain() {
            List<Device> again = backend.open();
            for (int i = 0; i < again.size(); i++) {
                if (i != index) {
                    again.get(i).close();
                }
            }
            return again.get(index);
        }
    }

    /** A backend that is not required and cannot run here, with the message to show. */
    record Skipped(String backendId, String message) {
    }

    final List<Opened> devices = new ArrayList<>();
    final List<Skipped> skipped = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    static TestDevices open() {
        TestDevices t = new TestDevices();
        Set<String> required = RequiredBackends.fromEnvironment();
        List<Backend> backends = Backends.discover();
        t.problems.addAll(RequiredBackends.problems(required, backends));
        for (Backend b : backends) {
            Availability a = b.probe();
            if (!a.available()) {
                if (!required.contains(b.id())) {
                    t.skipped.add(new Skipped(b.id(), RequiredBackends.skipMessage(b, a)));
                }
                continue;
            }
            try {
                List<Device> opened = b.open();
                for (int i = 0; i < opened.size(); i++) {
                    t.devices.add(new Opened(b, i, opened.get(i)));
                }
            } catch (RuntimeException e) {
                String m = "backend '" + b.id() + "' probes available but open() failed: " + e;
                if (required.contains(b.id())) {
                    t.problems.add(m);
                } else {
                    t.skipped.add(new Skipped(b.id(), m));
                }
            }
        }
        return t;
    }

    @Override
    public void close() {
        for (Opened o : devices) {
            o.device().close();
        }
    }
}
