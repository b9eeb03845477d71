package dev.accel.conformance;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one case allocated (host tensors, buffers, kernels, extra queues), closed in reverse order
 * when the case ends. When the device's work got stuck, the case abandons them instead: closing a
 * buffer under running work, or a queue that waits for it, is worse than leaking them.
 */
final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> items = new ArrayDeque<>();
    private boolean abandoned;

    <T extends AutoCloseable> T add(T item) {
        items.push(item);
        return item;
    }

    void abandon() {
        abandoned = true;
    }

    /** Closes everything; the first failure to close is thrown after the rest are closed. */
    @Override
    public void close() {
        if (abandoned) {
            items.clear();
            return;
        }
        RuntimeException failure = null;
        while (!items.isEmpty()) {
            try {
                items.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a case's resource failed: " + e, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
