package dev.accel.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ThreadAffinity}: the policy the property sets, and pinning a thread on Linux. */
class ThreadAffinityTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(ThreadAffinity.PROPERTY);
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    @Test
    void policyFollowsThePropertyAndTheCpuCount() {
        int cpus = ThreadAffinity.allowedCpus().length;
        System.setProperty(ThreadAffinity.PROPERTY, "off");
        assertFalse(ThreadAffinity.pins(2));
        System.setProperty(ThreadAffinity.PROPERTY, "auto");
        // One thread has nothing to share a CPU with; more threads than CPUs cannot each have one.
        assertFalse(ThreadAffinity.pins(1));
        assertFalse(ThreadAffinity.pins(cpus + 1));
        if (linux() && cpus >= 2) {
            assertTrue(ThreadAffinity.pins(cpus), "auto pins as many threads as there are CPUs");
            if (cpus > 2) {
                assertFalse(ThreadAffinity.pins(cpus - 1), "auto leaves fewer threads than CPUs unpinned");
            }
            System.setProperty(ThreadAffinity.PROPERTY, "on");
            assertTrue(ThreadAffinity.pins(2), "on pins whenever each thread can have a CPU");
        }
        System.setProperty(ThreadAffinity.PROPERTY, "always");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThreadAffinity.pins(2));
        assertTrue(e.getMessage().contains("accel.cpu.affinity is 'always'; requires auto, on or off"), e.getMessage());
    }

    @Test
    void aPinnedThreadRunsOnItsCpuOnly() throws InterruptedException {
        int[] allowed = ThreadAffinity.allowedCpus();
        assumeTrue(linux() && allowed.length >= 2, "pinning is tried on Linux with two CPUs or more; here " + Arrays.toString(allowed));
        AtomicReference<int[]> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            assertTrue(ThreadAffinity.pinCurrentThread(1));
            seen.set(ThreadAffinity.currentThreadCpus());
        });
        t.start();
        t.join();
        assertArrayEquals(new int[] {allowed[1]}, seen.get());
        // This thread is untouched, and an index past the allowed CPUs pins nothing.
        assertArrayEquals(allowed, ThreadAffinity.currentThreadCpus());
        assertFalse(ThreadAffinity.pinCurrentThread(allowed.length));
        assertEquals(allowed.length, ThreadAffinity.currentThreadCpus().length);
    }

    @Test
    void aMisspeltValueFailsOpeningTheDevice() {
        System.setProperty(ThreadAffinity.PROPERTY, "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CpuBackend().open());
        assertTrue(e.getMessage().contains("accel.cpu.affinity is 'yes'"), e.getMessage());
    }
}
