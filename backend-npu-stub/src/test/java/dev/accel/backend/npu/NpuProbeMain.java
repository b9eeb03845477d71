package dev.accel.backend.npu;

import dev.accel.hal.AccelException;

/**
 * Prints what the NPU backend says about this JVM: the probe, then the outcome of open(). Run in a
 * child JVM by {@link NpuLibraryTest} to see the messages a user gets without native access.
 */
public final class NpuProbeMain {
    private NpuProbeMain() {
    }

    public static void main(String[] args) {
        NpuBackend backend = new NpuBackend();
        System.out.println("probe: " + backend.probe());
        try {
            backend.open().forEach(d -> {
                System.out.println("opened: " + d.info().id());
                d.close();
            });
        } catch (AccelException e) {
            System.out.println("open failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
