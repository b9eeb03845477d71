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
 * file named by {@code accel.cuda.cublas} / {@code ACCEL_CUDA_CUBLAS}): the device runs the GEMMs
 * that {@link CudaBlasGemm} can state through it (see README.md, "cuBLAS"), and the benchmark
 * compares it with this backend's kernels. One handle, on the device's primary context; calls are
 * serialised, as a handle is not thread-safe.
 */
@SuppressWarnings("restricted") // binding a native library is the point of this class
final class CudaBlas implements AutoCloseable {
    static final List<String> SONAMES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");
    private static final int OP_N = 0;
    private static final int R_16F = 2;
    private static final int COMPUTE_32F = 68;
    private static final int GEMM_DEFAULT = -1;
    private static final int OP_T = 1;
    private static final int R_32F = 0;
    private static final int R_16BF = 14;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final AddressLayout ADDR = ValueLayout.ADDRESS;

    private final Path path;
    private final MethodHandle destroy;
    private final MethodHandle setStream;
    private final MethodHandle sgemm;
    private final MethodHandle gemmEx;
    private final MethodHandle gemmBatched;
    /** alpha and beta of the backend's calls (float each), reused under this object's lock. */
    private final MemorySegment scalars;
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
        this.gemmBatched = handle(linker, lib, "cublasGemmStridedBatchedEx", FunctionDescriptor.of(INT, ADDR, INT, INT, INT, INT, INT,
                ADDR, ADDR, INT, INT, LONG, ADDR, INT, INT, LONG, ADDR, ADDR, INT, INT, LONG, INT, INT, INT));
        this.scalars = arena.allocate(8, 4);
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

    /**
     * Runs {@code g} (see {@link CudaBlasGemm}) on {@code stream} with the operands at device
     * addresses {@code a}, {@code b} and {@code y}: cublasGemmStridedBatchedEx with float
     * accumulation (CUBLAS_COMPUTE_32F; F32 stays F32, no TF32) and beta 0.
     */
    synchronized void gemm(long stream, CudaBlasGemm g, long a, long b, long y) {
        if (closed) {
            throw new IllegalStateException("cuBLAS handle at " + path + " is closed");
        }
        int type = switch (g.dtype()) {
            case F32 -> R_32F;
            case F16 -> R_16F;
            case BF16 -> R_16BF;
            default -> throw new IllegalArgumentException("cuBLAS GEMM in " + g.dtype());
        };
        try {
            check((int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)), "cublasSetStream");
            scalars.set(ValueLayout.JAVA_FLOAT, 0, g.alpha());
            scalars.set(ValueLayout.JAVA_FLOAT, 4, 0f);
            check((int) gemmBatched.invokeExact(handle, g.transFirst() ? OP_T : OP_N, g.transSecond() ? OP_T : OP_N, g.m(), g.n(), g.k(),
                    scalars, MemorySegment.ofAddress(b), type, g.ldFirst(), g.strideFirst(), MemorySegment.ofAddress(a), type, g.ldSecond(),
                    g.strideSecond(), scalars.asSlice(4), MemorySegment.ofAddress(y), type, g.ldc(), g.strideC(), g.batch(), COMPUTE_32F,
                    GEMM_DEFAULT), "cublasGemmStridedBatchedEx(" + g + ")");
        } catch (AccelException e) {
            throw e;
        } catch (Throwable t) {
            throw new AccelException("cuBLAS GEMM failed: " + t, t);
        }
    }

    private void check(int status, String what) {
        if (status != 0) {
            throw new AccelException(what + " failed: " + statusName(status) + " (cuBLAS at " + path + ")");
        }
    }

    /** cublasStatus_t's name, as cublas_api.h has it. */
    static String statusName(int status) {
        String name = switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t";
        };
        return name + " (" + status + ")";
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
