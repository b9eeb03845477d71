package dev.accel.backend.npu;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Routes the library's completion callbacks to Java. One upcall stub (made once by
 * {@link NpuNative}) serves every callback; the {@code user_data} pointer the library hands back
 * is a token that names the pending {@link Completion}. Tokens are never reused, so a late or
 * duplicate callback finds nothing rather than the wrong completion.
 *
 * <p>{@link #onComplete} runs on a worker thread of the library. It must never let an exception
 * escape: an exception that reaches native code terminates the JVM.
 */
final class NpuCallbacks {
    /** What to do when one piece of queued work completes. */
    @FunctionalInterface
    interface Completion {
        /**
         * @param status NPU status of the work
         * @param simulatedNanos simulated execution time (0 for copies and markers)
         * @param detail the library's message for a failure; empty on success
         */
        void complete(int status, long simulatedNanos, String detail);
    }

    private static final System.Logger LOG = System.getLogger(NpuCallbacks.class.getName());
    private static final ConcurrentHashMap<Long, Completion> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT = new AtomicLong(1);

    private NpuCallbacks() {
    }

    /** Registers a completion and returns its token, to pass as the callback's user data. */
    static long register(Completion c) {
        long token = NEXT.getAndIncrement();
        PENDING.put(token, c);
        return token;
    }

    /** Forgets a token whose work was never queued (the enqueue call failed). */
    static void cancel(long token) {
        PENDING.remove(token);
    }

    /** Completions registered and not yet called. */
    static int pending() {
        return PENDING.size();
    }

    /** The upcall target: {@code void (*)(void *user, npu_status status, uint64_t simulated_ns, const char *detail)}. */
    static void onComplete(MemorySegment user, int status, long simulatedNanos, MemorySegment detail) {
        try {
            Completion c = PENDING.remove(user.address());
            if (c == null) {
                LOG.log(System.Logger.Level.ERROR, "libaccelnpu completed unknown work (token " + user.address()
                        + ", " + NpuStatus.name(status) + ")");
                return;
            }
            String message = detail.equals(MemorySegment.NULL) ? ""
                    : detail.reinterpret(NpuLayouts.DETAIL_LEN).getString(0);
            c.complete(status, simulatedNanos, message);
        } catch (Throwable t) {
            // Nothing can be thrown across the native frame; the fence of this work may stay pending,
            // so say so loudly.
            LOG.log(System.Logger.Level.ERROR, "completion callback of libaccelnpu failed", t);
        }
    }
}
