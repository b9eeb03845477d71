package dev.accel.hal;

import dev.accel.hal.op.OpSpec;
import java.util.Map;

/**
 * One device of a backend. Obtained from {@link Backend#open()}; the caller owns it and must close
 * it, which frees every buffer, queue and kernel made from it that is still open.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public interface Device extends AutoCloseable {
    DeviceInfo info();

    /** What this device can run, per op spec. */
    Capabilities capabilities();

    /** Performance figures for the cost model: declared until calibrated. */
    DeviceProfile profile();

    /**
     * Allocates an uninitialised buffer for a tensor of this type; the caller owns it.
     *
     * @throws OutOfDeviceMemoryException with the requested bytes when the device has too little
     * @throws IllegalStateException when the device is closed
     */
    DeviceBuffer allocate(TensorType type);

    /** A new queue of ordered work on this device; the caller owns it. */
    Queue newQueue();

    /**
     * Compiles or selects the kernel for an op spec; the caller owns it. Preparing is the costly
     * step (program builds, pipeline creation); dispatching a prepared kernel is cheap.
     *
     * @throws UnsupportedOpException with the reason when {@link Capabilities#support} says
     *     UNSUPPORTED
     */
    Kernel prepare(OpSpec spec);

    /**
     * Prepares a kernel some of whose inputs are constant for its whole life: weights, biases,
     * quantisation parameters (a model's initializers). Every dispatch of the kernel must still
     * pass buffers at those input indices, holding exactly these contents; the device may use a
     * copy it pre-processed here instead (packed GEMM panels, a fixed requantisation scale), so
     * changing a constant means preparing again. The device takes what it needs during this call:
     * the caller may change or close the constant tensors afterwards. The default ignores them.
     *
     * @param constants input index to its contents; each must have that input's type
     * @throws InvalidArgumentException when an index is out of range or a type differs
     * @throws UnsupportedOpException as {@link #prepare(OpSpec)}
     */
    default Kernel prepare(OpSpec spec, Map<Integer, HostTensor> constants) {
        Checks.constants(spec, constants);
        return prepare(spec);
    }

    /** True once {@link #close()} ran. */
    boolean isClosed();

    /** Frees everything this device holds. Idempotent. */
    @Override
    void close();
}
