package dev.accel.hal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queues, buffers, kernels and other handles a {@link Device} has handed out and must free when
 * it closes, for backend implementations. Each resource removes itself when its owner closes it
 * first; the device closes what is left with {@link #closeAll()}.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public final class OwnedResources {
    private final Set<AutoCloseable> owned = ConcurrentHashMap.newKeySet();

    /** Tracks {@code resource} and returns it. */
    public <T extends AutoCloseable> T add(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Stops tracking {@code resource} (its owner closed it). */
    public void remove(AutoCloseable resource) {
        owned.remove(resource);
    }

    /** How many resources are still open. */
    public int size() {
        return owned.size();
    }

    /**
     * Closes every tracked resource: {@link Queue}s first, so that queued work finishes before the
     * buffers and kernels it uses are freed, then the rest. Every resource is closed even when some
     * fail; the first failure is returned with the others added as suppressed, so the device can
     * finish freeing its own native state before it throws it.
     *
     * @return the first failure, or null when all closed cleanly
     */
    public RuntimeException closeAll() {
        RuntimeException first = null;
        for (int pass = 0; pass < 2; pass++) {
            for (AutoCloseable c : owned.toArray(AutoCloseable[]::new)) {
                if ((pass == 0) != (c instanceof Queue)) {
                    continue;
                }
                try {
                    c.close();
                } catch (Exception e) {
                    RuntimeException r = e instanceof RuntimeException re ? re
                            : new IllegalStateException("closing " + c + " failed", e);
                    if (first == null) {
                        first = r;
                    } else {
                        first.addSuppressed(r);
                    }
                }
            }
        }
        owned.clear();
        return first;
    }
}
