package dev.accel.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * What a prepared kernel does at each dispatch, worked out from the op spec alone (no GPU needed,
 * so tests can check it): kernel launches with their packed arguments, device-to-device copies
 * and scratch buffers, in order. {@link CudaKernel} binds it to a device.
 */
final class CudaPlan {
    /** Threads per block of the elementwise kernels. */
    static final int THREADS = 256;
    /** Most blocks a grid-stride kernel launches: enough to fill any current GPU several times over. */
    static final int MAX_BLOCKS = 8192;

    /** One step of a dispatch. */
    sealed interface Step permits Launch, Copy {
    }

    /** A launch of {@code function} from kernel source {@code module} (the .cu file's base name). */
    record Launch(String module, String function, int gridX, int gridY, int gridZ, int block, int sharedBytes,
                  CudaArgs args) implements Step {
        @Override
        public String toString() {
            return module + "." + function + "<<<(" + gridX + ", " + gridY + ", " + gridZ + "), " + block + ">>> " + args.struct().name();
        }
    }

    /** A copy of {@code bytes} between device buffers. */
    record Copy(CudaRef src, CudaRef dst, long bytes) implements Step {
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<Long> scratch = new ArrayList<>();

    List<Step> steps() {
        return steps;
    }

    /** Bytes of each scratch buffer a dispatch allocates (stream-ordered) and frees after its steps. */
    List<Long> scratch() {
        return scratch;
    }

    /** Adds a scratch buffer of {@code bytes}; returns its index for {@link CudaRef#scratch}. */
    int addScratch(long bytes) {
        scratch.add(bytes);
        return scratch.size() - 1;
    }

    void add(Step s) {
        steps.add(s);
    }

    /** A grid-stride launch over {@code n} elements (nothing when {@code n == 0}). */
    void elementwise(String module, String function, long n, CudaArgs args) {
        if (n > 0) {
            steps.add(new Launch(module, function, blocksFor(n), 1, 1, THREADS, 0, args));
        }
    }

    /** A launch of the given grid, one block of {@code block} threads each. */
    void grid(String module, String function, int gx, int gy, int gz, int block, CudaArgs args) {
        if ((long) gx * gy * gz > 0) {
            steps.add(new Launch(module, function, gx, gy, gz, block, 0, args));
        }
    }

    /** A launch of the given grid whose blocks use {@code sharedBytes} of dynamic shared memory. */
    void grid(String module, String function, int gx, int gy, int gz, int block, int sharedBytes, CudaArgs args) {
        if ((long) gx * gy * gz > 0) {
            steps.add(new Launch(module, function, gx, gy, gz, block, sharedBytes, args));
        }
    }

    void copy(CudaRef src, CudaRef dst, long bytes) {
        if (bytes > 0) {
            steps.add(new Copy(src, dst, bytes));
        }
    }

    /** Blocks for a grid-stride loop over {@code n} elements. */
    static int blocksFor(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS));
    }

    /** Launches only, for tests. */
    List<Launch> launches() {
        return steps.stream().filter(s -> s instanceof Launch).map(s -> (Launch) s).toList();
    }

    @Override
    public String toString() {
        return "CudaPlan" + steps + (scratch.isEmpty() ? "" : " scratch " + scratch);
    }
}
