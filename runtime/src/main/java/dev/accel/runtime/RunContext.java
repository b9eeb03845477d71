package dev.accel.runtime;

import dev.accel.hal.AccelException;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run at a time needs of each device: a compute queue, a transfer queue, and the buffers
 * of the memory plan. Sessions keep a pool of these so that runs on many threads do not share
 * queues or buffers, and a context whose run failed is closed rather than reused (a failed queue
 * refuses later work). Closing waits for queued work, then frees the buffers. Idempotent.
 */
final class RunContext implements AutoCloseable {
    private final Map<String, Queue> compute = new LinkedHashMap<>();
    private final Map<String, Queue> transfer = new LinkedHashMap<>();
    private final Map<String, DeviceBuffer[]> slots = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @throws DeviceFailure naming the device whose queue or buffer could not be made
     */
    RunContext(Map<String, Device> devices, MemoryPlan memory) {
        try {
            for (var e : devices.entrySet()) {
                String id = e.getKey();
                Device d = e.getValue();
                try {
                    compute.put(id, d.newQueue());
                    transfer.put(id, d.newQueue());
                    List<TensorType> types = memory.slots(id);
                    DeviceBuffer[] b = new DeviceBuffer[types.size()];
                    slots.put(id, b);
                    for (int i = 0; i < b.length; i++) {
                        b[i] = d.allocate(types.get(i));
                    }
                } catch (AccelException ex) {
                    if (ex instanceof dev.accel.hal.InvalidArgumentException) {
                        throw ex;
                    }
                    throw new DeviceFailure(id, "making the queues and " + memory.slots(id).size() + " buffers of a run", ex);
                }
            }
        } catch (RuntimeException ex) {
            closeQuietly(ex);
            throw ex;
        }
    }

    Queue compute(String device) {
        return compute.get(device);
    }

    Queue transfer(String device) {
        return transfer.get(device);
    }

    /** The slot buffer, as {@code type} (a view when the slot was allocated with another type of the same size). */
    DeviceBuffer slot(String device, int slot, TensorType type) {
        DeviceBuffer b = slots.get(device)[slot];
        return b.type().equals(type) ? b : b.view(type);
    }

    /** Every queue, compute queues first. */
    List<Queue> queues() {
        List<Queue> q = new ArrayList<>(compute.values());
        q.addAll(transfer.values());
        return q;
    }

    /** The device id of a queue of this context. */
    String deviceOf(Queue q) {
        for (var e : compute.entrySet()) {
            if (e.getValue() == q) {
                return e.getKey();
            }
        }
        for (var e : transfer.entrySet()) {
            if (e.getValue() == q) {
                return e.getKey();
            }
        }
        return "?";
    }

    /** Closes, adding any failure of closing to {@code primary} instead of throwing. */
    void closeQuietly(Throwable primary) {
        try {
            close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        List<AutoCloseable> all = new ArrayList<>(queues());
        for (DeviceBuffer[] b : slots.values()) {
            for (DeviceBuffer x : b) {
                if (x != null) {
                    all.add(x);
                }
            }
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                if (first == null) {
                    first = r;
                } else {
                    first.addSuppressed(r);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
