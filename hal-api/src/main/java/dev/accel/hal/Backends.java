package dev.accel.hal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Discovery of every {@link Backend} on the class path through {@link ServiceLoader}. A backend
 * jar registers its implementation in {@code META-INF/services/dev.accel.hal.Backend}.
 */
public final class Backends {
    private static final List<String> ORDER = List.of("cpu", "cuda", "vulkan", "opencl", "npu");

    private Backends() {
    }

    /**
     * Every backend on the class path, in a stable order (cpu, cuda, vulkan, opencl, npu, then
     * others by id). A provider that fails to load (a missing binding jar, say) appears as a backend
     * whose probe says unavailable with the loading error, rather than hiding the others.
     *
     * @throws InvalidArgumentException when two backends claim the same id
     */
    public static List<Backend> discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** As {@link #discover()}, loading from the given class loader. */
    public static List<Backend> discover(ClassLoader loader) {
        List<Backend> found = new ArrayList<>();
        Iterator<Backend> it = ServiceLoader.load(Backend.class, loader).iterator();
        int broken = 0;
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                found.add(new BrokenBackend("broken-" + (broken++), e));
            }
        }
        List<String> ids = new ArrayList<>();
        for (Backend b : found) {
            if (ids.contains(b.id())) {
                throw new InvalidArgumentException("two backends on the class path claim the id '" + b.id() + "': "
                        + found.stream().filter(x -> x.id().equals(b.id())).map(x -> x.getClass().getName()).toList());
            }
            ids.add(b.id());
        }
        found.sort(Comparator.comparingInt((Backend b) -> {
            int i = ORDER.indexOf(b.id());
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(Backend::id));
        return List.copyOf(found);
    }

    /** The backend with this id, if on the class path. */
    public static Optional<Backend> find(String id) {
        return discover().stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** Stands in for a provider whose class could not be loaded. */
    private record BrokenBackend(String id, ServiceConfigurationError error) implements Backend {
        @Override
        public Availability probe() {
            return Availability.unavailable("backend provider failed to load: " + error.getMessage(),
                    "check that the backend's jar and its binding library are complete on the class path");
        }

        @Override
        public List<Device> open() {
            throw new BackendUnavailableException(probe().toString(), error);
        }
    }
}
