package dev.accel.backend.cuda;

import dev.accel.hal.Kernel;
import dev.accel.hal.op.OpSpec;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * A prepared op on one GPU: its {@link CudaPlan} with every kernel function resolved (modules
 * are loaded, or compiled, here rather than at the first dispatch). A dispatch allocates the
 * plan's scratch buffers stream-ordered ({@code cuMemAllocAsync}), runs its steps on the queue's
 * stream and frees the scratch behind them, so concurrent dispatches never share scratch.
 */
final class CudaKernel implements Kernel {
    private final CudaDevice device;
    private final OpSpec spec;
    private final CudaPlan plan;
    private final CUfunction[] functions;
    /** The same GEMM as a cuBLAS call, run through {@link #blas} instead of the plan; null to run the plan. */
    private final CudaBlasGemm viaBlas;
    private final CudaBlas blas;
    private volatile boolean closed;

    CudaKernel(CudaDevice device, OpSpec spec, CudaPlan plan) {
        this(device, spec, plan, null, null);
    }

    CudaKernel(CudaDevice device, OpSpec spec, CudaPlan plan, CudaBlasGemm viaBlas, CudaBlas blas) {
        this.device = device;
        this.spec = spec;
        this.plan = plan;
        this.viaBlas = viaBlas;
        this.blas = blas;
        List<CudaPlan.Step> steps = plan.steps();
        this.functions = new CUfunction[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof CudaPlan.Launch l) {
                functions[i] = device.modules().function(l.module(), l.function(), l.sharedBytes());
            }
        }
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public CudaDevice device() {
        return device;
    }

    CudaPlan plan() {
        return plan;
    }

    boolean isClosed() {
        return closed;
    }

    /** The cuBLAS call this kernel runs instead of its plan, if any. */
    CudaBlasGemm viaBlas() {
        return viaBlas;
    }

    /** Queues the plan on {@code stream}; the caller bound the context and checked the buffers. */
    void enqueue(CudaStreamHandle stream, CudaBuffer[] in, CudaBuffer[] out) {
        if (viaBlas != null) {
            CudaRef.Resolver r = ref -> switch (ref.kind()) {
                case INPUT -> in[ref.index()].address() + ref.byteOffset();
                case OUTPUT -> out[ref.index()].address() + ref.byteOffset();
                case SCRATCH, NULL -> throw new IllegalStateException("a cuBLAS GEMM reads " + ref);
            };
            blas.gemm(stream.handle(), viaBlas, r.address(viaBlas.a()), r.address(viaBlas.b()), r.address(viaBlas.y()));
            return;
        }
        List<Long> scratchBytes = plan.scratch();
        CudaDevicePtr[] scratch = new CudaDevicePtr[scratchBytes.size()];
        boolean pools = device.facts().memoryPools();
        try {
            for (int i = 0; i < scratch.length; i++) {
                scratch[i] = new CudaDevicePtr();
                long bytes = Math.max(1, scratchBytes.get(i));
                int r = pools ? JCudaDriver.cuMemAllocAsync(scratch[i], bytes, stream) : JCudaDriver.cuMemAlloc(scratch[i], bytes);
                CudaErrors.check(r, "allocating " + bytes + " bytes of scratch for " + spec + " on " + device.info().id());
            }
            CudaRef.Resolver resolver = ref -> switch (ref.kind()) {
                case INPUT -> in[ref.index()].address() + ref.byteOffset();
                case OUTPUT -> out[ref.index()].address() + ref.byteOffset();
                case SCRATCH -> scratch[ref.index()].address() + ref.byteOffset();
                case NULL -> 0L;
            };
            List<CudaPlan.Step> steps = plan.steps();
            for (int i = 0; i < steps.size(); i++) {
                switch (steps.get(i)) {
                    case CudaPlan.Launch l -> launch(stream, functions[i], l, resolver);
                    case CudaPlan.Copy c -> CudaErrors.check(JCudaDriver.cuMemcpyDtoDAsync(pointer(c.dst(), in, out, scratch),
                            pointer(c.src(), in, out, scratch), c.bytes(), stream), "cuMemcpyDtoDAsync of " + c.bytes() + " bytes for " + spec);
                }
            }
        } finally {
            for (CudaDevicePtr p : scratch) {
                if (p != null && p.address() != 0) {
                    if (pools) {
                        JCudaDriver.cuMemFreeAsync(p, stream);
                    } else {
                        // Without stream-ordered allocation, wait for the steps before freeing.
                        JCudaDriver.cuStreamSynchronize(stream);
                        JCudaDriver.cuMemFree(p);
                    }
                }
            }
        }
    }

    private void launch(CUstream stream, CUfunction f, CudaPlan.Launch l, CudaRef.Resolver resolver) {
        byte[] arg = l.args().bind(resolver);
        int r = JCudaDriver.cuLaunchKernel(f, l.gridX(), l.gridY(), l.gridZ(), l.block(), 1, 1, l.sharedBytes(), stream,
                Pointer.to(Pointer.to(arg)), null);
        CudaErrors.check(r, "cuLaunchKernel " + l + " for " + spec + " on " + device.info().id());
    }

    private static CUdeviceptr pointer(CudaRef ref, CudaBuffer[] in, CudaBuffer[] out, CudaDevicePtr[] scratch) {
        return switch (ref.kind()) {
            case INPUT -> in[ref.index()].at(ref.byteOffset());
            case OUTPUT -> out[ref.index()].at(ref.byteOffset());
            case SCRATCH -> scratch[ref.index()].withByteOffset(ref.byteOffset());
            case NULL -> throw new IllegalStateException("copy from or to a null reference in the plan of " + "a kernel");
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return "CudaKernel(" + spec + " on " + device.info().id() + (viaBlas != null ? ", via cuBLAS" : "") + ")";
    }
}
