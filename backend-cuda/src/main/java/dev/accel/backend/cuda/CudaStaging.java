package dev.accel.backend.cuda;

import dev.accel.hal.Fence;
import java.util.ArrayList;
import java.util.List;

/**
 * Pinned bounce buffers for transfers from and to host memory that is not pinned (heap arrays,
 * ordinary native segments). A chunk is handed out only when the transfer that last used it is
 * done, so a write can return as soon as its bytes are copied into the chunk. Chunks are kept
 * for reuse up to {@link #RETAINED_LIMIT} bytes in all.
 *
 * <p>Thread-safe.
 */
final class CudaStaging {
    /** Largest piece a single staged transfer moves; bigger transfers go in pieces. */
    static final long PIECE = 64L << 20;
    static final long RETAINED_LIMIT = 512L << 20;
    private static final long MIN_CHUNK = 1L << 20;

    /** A pinned chunk and the fence of the transfer that used it last. */
    static final class Chunk {
        final CudaHostMemory memory;
        Fence lastUse;
        boolean busy;

        Chunk(CudaHostMemory memory) {
            this.memory = memory;
        }

        long size() {
            return memory.segment().byteSize();
        }
    }

    private final CudaDevice device;
    private final List<Chunk> chunks = new ArrayList<>();

    CudaStaging(CudaDevice device) {
        this.device = device;
    }

    /** A chunk of at least {@code bytes} (at most {@link #PIECE}) that no transfer uses now. */
    synchronized Chunk acquire(long bytes) {
        Chunk best = null;
        for (Chunk c : chunks) {
            if (!c.busy && c.size() >= bytes && (c.lastUse == null || c.lastUse.isDone())
                    && (best == null || c.size() < best.size())) {
                best = c;
            }
        }
        if (best == null) {
            trim(bytes);
            best = new Chunk(device.allocateHost(Math.max(MIN_CHUNK, Long.highestOneBit(Math.max(1, bytes - 1)) << 1)));
            chunks.add(best);
        }
        best.busy = true;
        return best;
    }

    /** Gives a chunk back; it is reused once {@code lastUse} is done. */
    synchronized void release(Chunk c, Fence lastUse) {
        c.lastUse = lastUse;
        c.busy = false;
    }

    /** Frees idle chunks while the retained bytes plus {@code incoming} exceed the limit. */
    private void trim(long incoming) {
        long total = incoming;
        for (Chunk c : chunks) {
            total += c.size();
        }
        for (int i = chunks.size() - 1; i >= 0 && total > RETAINED_LIMIT; i--) {
            Chunk c = chunks.get(i);
            if (!c.busy && (c.lastUse == null || c.lastUse.isDone())) {
                chunks.remove(i);
                total -= c.size();
                c.memory.close();
            }
        }
    }

    /** Frees every chunk; the device's queues have finished. */
    synchronized void close() {
        for (Chunk c : chunks) {
            c.memory.close();
        }
        chunks.clear();
    }
}
