package dev.accel.backend.cuda;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * cuBLAS bound through the foreign function API ({@code libcublas.so.13} or {@code .12}, or the
 * file named by {@code accel.cuda.cublas} / {@code ACCEL_CUDA_CUBLAS}), for comparing this
 * backend's GEMM kernels with NVIDIA's on the same machine and in the same process
 * ({@link CudaDevice} does not route ops through it: see README.md, "cuBLAS"). One handle, on
 * the device's primary context; calls are serialised, as a handle is not thread-safe.
 */
@SuppressWarnings("restricted") // binding a native library is the point of this class
final class CudaBlas implements AutoCloseable {
    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");
    private static final int OP_N = 0;
    private static final int R_16F = 2;
    private static final int COMPUTE_32F = 68;
    private static final int GEMM_DEFAULT = -1;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final AddressLayout ADDR = ValueLayout.ADDRESS;

    private final Path path;
    private final MethodHandle destroy;
    private final MethodHandle setStream;
    private final MethodHandle sgemm;
    private final MethodHandle gemmEx;
    private final MemorySegment handle;
    private final Arena arena = Arena.ofShared();
    private boolean closed;

    private CudaBlas(Path path, CudaContext context) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        Path lt = path.resolveSibling(path.getFileName().toString().replace("libcublas", "libcublasLt"));
        if (Files.isRegularFile(lt)) {
            SymbolLookup.libraryLookup(lt, Arena.global()); // so that libcublas finds its sibling without LD_LIBRARY_PATH
        }
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        MethodHandle create = handle(linker, lib, "cublasCreate_v2", FunctionDescriptor.of(INT, ADDR));
        this.destroy = handle(linker, lib, "cublasDestroy_v2", FunctionDescriptor.of(INT, ADDR));
        this.setStream = handle(linker, lib, "cublasSetStream_v2", FunctionDescriptor.of(INT, ADDR, ADDR));
        this.sgemm = handle(linker, lib, "cublasSgemm_v2", FunctionDescriptor.of(INT, ADDR, INT, INT, INT, INT, INT, ADDR, ADDR, INT,
                ADDR, INT, ADDR, ADDR, INT));
        this.gemmEx = handle(linker, lib, "cublasGemmEx", FunctionDescriptor.of(INT, ADDR, INT, INT, INT, INT, INT, ADDR, ADDR, INT,
                INT, ADDR, INT, INT, ADDR, ADDR, INT, INT, INT, INT));
        context.bind();
        MemorySegment h = arena.allocate(ADDR);
        try {
            check((int) create.invokeExact(h), "cublasCreate");
        } catch (AccelException e) {
            throw e;
        } catch (Throwable t) {
            throw new AccelException("cublasCreate at " + path + " failed: " + t, t);
        }
        this.handle = h.get(ADDR, 0);
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(lib.find(name).orElseThrow(() -> new BackendUnavailableException(
                "cuBLAS lacks the symbol " + name + "; fix: install cuBLAS 12 or 13")), fd);
    }

    /** Where cuBLAS would be loaded from: the override, else the first of {@link #SONAMES} found. */
    static Optional<Path> locate(CudaLibraries libraries) {
        String override = System.getProperty("accel.cuda.cublas", System.getenv("ACCEL_CUDA_CUBLAS"));
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override));
        }
        return libraries.findAny(SONAMES);
    }

    /** A handle on {@code device}'s context, or empty when cuBLAS is not installed. */
    static Optional<CudaBlas> open(CudaDevice device, CudaLibraries libraries) {
        return locate(libraries).map(p -> new CudaBlas(p, device.context()));
    }

    Path path() {
        return path;
    }

    /**
     * Row-major {@code Y[m, n] = A[m, k] B[k, n]} on device addresses, F32 ({@code half == false})
     * or F16 with float accumulation, on {@code stream}. Row-major Y is column-major Y^T = B^T A^T,
     * so B goes first.
     */
    synchronized void gemm(long stream, boolean half, int m, int n, int k, long a, long b, long y) {
        try (Arena call = Arena.ofConfined()) {
            check((int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)), "cublasSetStream");
            MemorySegment alpha = call.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
            MemorySegment beta = call.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
            MemorySegment pa = MemorySegment.ofAddress(a);
            MemorySegment pb = MemorySegment.ofAddress(b);
            MemorySegment py = MemorySegment.ofAddress(y);
            if (!half) {
                check((int) sgemm.invokeExact(handle, OP_N, OP_N, n, m, k, alpha, pb, n, pa, k, beta, py, n), "cublasSgemm");
            } else {
                check((int) gemmEx.invokeExact(handle, OP_N, OP_N, n, m, k, alpha, pb, R_16F, n, pa, R_16F, k, beta, py, R_16F, n,
                        COMPUTE_32F, GEMM_DEFAULT), "cublasGemmEx");
            }
        } catch (AccelException e) {
            throw e;
        } catch (Throwable t) {
            throw new AccelException("cuBLAS GEMM failed: " + t, t);
        }
    }

    private void check(int status, String what) {
        if (status != 0) {
            throw new AccelException(what + " failed: cublasStatus_t " + status + " (cuBLAS at " + path + ")");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                int ignored = (int) destroy.invokeExact(handle);
            } catch (Throwable t) {
                throw new AccelException("cublasDestroy failed: " + t, t);
            } finally {
                arena.close();
            }
        }
    }
}
