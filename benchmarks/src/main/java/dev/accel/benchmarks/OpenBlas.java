package dev.accel.benchmarks;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS as bundled by the JavaCPP presets ({@code org.bytedeco:openblas} with its platform jar,
 * a DYNAMIC_ARCH build), called on native segments through direct buffers (no copies).
 *
 * <p>Kernel choice: the peer is measured with OpenBLAS's best kernels for the processor. OpenBLAS
 * reads {@code OPENBLAS_CORETYPE} once, when it loads; before that, this class sets it in the
 * process environment to {@code SkylakeX} (its AVX-512 kernels) when the processor has AVX-512F,
 * overriding a value inherited from the environment (this machine's sets {@code Haswell}, the AVX2
 * kernels, half the FMA width). The system property {@code accel.bench.openblas.coretype} changes
 * that: {@code keep} keeps the environment's value, any other value is set as the core type.
 * {@link #coreName()} reports what OpenBLAS runs.
 */
final class OpenBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    static {
        preferAvx512Kernels();
    }

    private OpenBlas() {
    }

    /** Sets OpenBLAS's thread count (loads the library on first use). */
    static void threads(int n) {
        openblas_nolapack.blas_set_num_threads(n);
    }

    /** OpenBLAS's own thread count. */
    static int threads() {
        return openblas_nolapack.blas_get_num_threads();
    }

    /** The kernel family OpenBLAS runs ("SkylakeX", "Haswell", ...), or a reason it cannot be read. */
    static String coreName() {
        threads();
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("libopenblas_nolapack.so.0", Arena.global());
            MethodHandle h = Linker.nativeLinker().downcallHandle(lib.find("openblas_get_corename").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            return ((MemorySegment) h.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            return "unknown (" + t.getMessage() + ")";
        }
    }

    /** Row-major {@code C[m x n] = A[m x k] B[k x n]} in float32. */
    static void sgemm(int m, int n, int k, FloatBuffer a, FloatBuffer b, FloatBuffer c) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, 1f, a, k, b, n, 0f, c, n);
    }

    /** Row-major {@code y[n] = x[k] B[k x n]} in float32 (sgemv of B transposed). */
    static void sgemvRow(int n, int k, FloatBuffer x, FloatBuffer b, FloatBuffer y) {
        openblas_nolapack.cblas_sgemv(ROW_MAJOR, TRANS, k, n, 1f, b, n, x, 1, 0f, y, 1);
    }

    /** A direct float view of a native segment, for the calls above. */
    static FloatBuffer floats(MemorySegment seg) {
        return seg.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static void preferAvx512Kernels() {
        String wanted = System.getProperty("accel.bench.openblas.coretype", hasAvx512f() ? "SkylakeX" : "keep");
        if (wanted.equals("keep")) {
            return;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            // Global: the C library may keep pointers into the strings it is given.
            Arena arena = Arena.global();
            int rc = (int) setenv.invokeExact(arena.allocateFrom("OPENBLAS_CORETYPE"), arena.allocateFrom(wanted), 1);
            if (rc != 0) {
                throw new IllegalStateException("setenv(OPENBLAS_CORETYPE=" + wanted + ") returned " + rc);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cannot select OpenBLAS kernels " + wanted + " (" + t
                    + "); run with -Daccel.bench.openblas.coretype=keep to use OpenBLAS's own choice", t);
        }
    }

    private static boolean hasAvx512f() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return (" " + line + " ").contains(" avx512f ");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
