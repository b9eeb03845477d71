package dev.accel.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pins the CPU backend's threads to CPUs, on Linux, through {@code sched_getaffinity} and
 * {@code sched_setaffinity} (the foreign function API): the thread that runs a CPU queue's kernels
 * to the first CPU this process may use, each {@link CpuParallel} worker to one of the others.
 *
 * <p>Why: left to the scheduler, a worker woken by the queue's thread is often placed on that
 * thread's CPU (Linux places a woken thread near its waker), and the two then share one CPU, a
 * spinning worker taking half of it, while the other idles, until the load balancer parts them.
 * It happens whenever the workers have gone to sleep: between the inferences of a service that
 * is not saturated, and in {@code accel bench models}, which pauses 50 ms between blocks of runs
 * (SqueezeNet 3.12 / 3.27 / 4.04 ms a run pinned against 5.71 / 4.64 / 5.64 unpinned, three
 * alternating runs; in back-to-back runs after a long warm-up the two were alike, 2.5-2.7 ms).
 * Single kernels timed in a loop do not show it: their worker never sleeps.
 *
 * <p>The system property {@value #PROPERTY}: {@code auto} (the default) pins when the backend's
 * thread count ({@link CpuParallel#THREADS}) equals the number of CPUs the process may use, so that
 * each thread has its own; {@code on} pins whenever there are at least as many CPUs as threads;
 * {@code off} never pins. Elsewhere than Linux, or where the calls fail (native access denied, a
 * CPU set that changed), threads are left unpinned: pinning is never required for correctness.
 */
final class ThreadAffinity {
    /** System property: {@code auto}, {@code on} or {@code off}. */
    static final String PROPERTY = "accel.cpu.affinity";
    /** Bytes of a {@code cpu_set_t}: 1024 CPUs. */
    private static final int SET_BYTES = 128;
    private static final MethodHandle GET;
    private static final MethodHandle SET;
    /** The CPUs this process could run on when this class loaded, ascending; empty where unknown. */
    private static final int[] ALLOWED;

    static {
        MethodHandle get = null;
        MethodHandle set = null;
        int[] allowed = new int[0];
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                // int sched_[gs]etaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask); pid 0: the calling thread.
                FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS);
                get = linker.downcallHandle(linker.defaultLookup().find("sched_getaffinity").orElseThrow(), fd);
                set = linker.downcallHandle(linker.defaultLookup().find("sched_setaffinity").orElseThrow(), fd);
                allowed = query(get);
            } catch (Throwable t) {
                // No libc symbol, native access denied, a failing call: leave threads unpinned.
                get = null;
                set = null;
                allowed = new int[0];
            }
        }
        GET = get;
        SET = set;
        ALLOWED = allowed;
    }

    private ThreadAffinity() {
    }

    /** The CPUs this process could run on when the backend loaded (empty where that is unknown). */
    static int[] allowedCpus() {
        return ALLOWED.clone();
    }

    /**
     * Whether {@code threads} threads are pinned under the property's current value ({@link
     * #PROPERTY}, read now).
     *
     * @throws IllegalArgumentException when the property is not {@code auto}, {@code on} or {@code off}
     */
    static boolean pins(int threads) {
        String v = System.getProperty(PROPERTY, "auto");
        return switch (v) {
            case "off" -> false;
            case "auto" -> SET != null && threads > 1 && ALLOWED.length == threads;
            case "on" -> SET != null && threads > 1 && ALLOWED.length >= threads;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + " is '" + v + "'; requires auto, on or off");
        };
    }

    /**
     * Pins the calling thread to the {@code index}-th allowed CPU; false where it could not (no
     * affinity calls here, no such CPU, the call failed).
     */
    static boolean pinCurrentThread(int index) {
        if (SET == null || index < 0 || index >= ALLOWED.length) {
            return false;
        }
        int cpu = ALLOWED[index];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(SET_BYTES);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            return (int) SET.invokeExact(0, (long) SET_BYTES, mask) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** The calling thread's allowed CPUs now (empty where unknown), for tests. */
    static int[] currentThreadCpus() {
        if (GET == null) {
            return new int[0];
        }
        try {
            return query(GET);
        } catch (Throwable t) {
            return new int[0];
        }
    }

    private static int[] query(MethodHandle get) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(SET_BYTES);
            if ((int) get.invokeExact(0, (long) SET_BYTES, mask) != 0) {
                return new int[0];
            }
            int[] cpus = new int[SET_BYTES * 8];
            int n = 0;
            for (int cpu = 0; cpu < SET_BYTES * 8; cpu++) {
                if ((mask.get(ValueLayout.JAVA_BYTE, cpu / 8) & (1 << (cpu % 8))) != 0) {
                    cpus[n++] = cpu;
                }
            }
            return Arrays.copyOf(cpus, n);
        }
    }
}
