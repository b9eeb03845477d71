package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnedResourcesTest {
    /** A Queue whose only behaviour is recording its close. */
    private static Queue queue(List<String> log, String name) {
        return (Queue) Proxy.newProxyInstance(Queue.class.getClassLoader(), new Class<?>[] {Queue.class}, (p, m, a) -> {
            if (m.getName().equals("close")) {
                log.add(name);
            }
            return switch (m.getName()) {
                case "toString" -> name;
                case "hashCode" -> System.identityHashCode(p);
                case "equals" -> p == a[0];
                default -> null;
            };
        });
    }

    @Test
    void closesQueuesFirstAndEveryResourceDespiteFailures() {
        List<String> log = new ArrayList<>();
        OwnedResources owned = new OwnedResources();
        IllegalStateException boom = new IllegalStateException("buffer a failed");
        owned.add(() -> {
            log.add("a");
            throw boom;
        });
        owned.add(queue(log, "q"));
        owned.add(() -> {
            log.add("b");
            throw new Exception("buffer b failed");
        });
        AutoCloseable removed = () -> log.add("removed");
        owned.add(removed);
        owned.remove(removed);

        RuntimeException failure = owned.closeAll();

        assertEquals("q", log.getFirst(), "queues close before what their work uses");
        assertEquals(List.of("a", "b", "q"), log.stream().sorted().toList(), "every tracked resource closed once");
        assertEquals(1, failure.getSuppressed().length, "the second failure is kept as suppressed");
        List<Throwable> both = List.of(failure, failure.getSuppressed()[0]);
        assertTrue(both.contains(boom), "an unchecked failure is returned as it is");
        assertTrue(both.stream().anyMatch(t -> t.getCause() != null && t.getCause().getMessage().equals("buffer b failed")),
                "a checked failure is wrapped with its cause");
        assertEquals(0, owned.size());
        assertNull(owned.closeAll(), "nothing left to close");
    }
}
