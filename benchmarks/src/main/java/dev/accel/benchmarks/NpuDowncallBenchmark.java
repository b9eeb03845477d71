package dev.accel.benchmarks;

import dev.accel.backend.npu.NpuDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * FFM downcall overhead per call into libaccelnpu (issue 7: goal at most 50 ns for a trivial call).
 *
 * <ul>
 *   <li>{@code binding}: {@link NpuDevice#nativeAllocationCount()}, the public entry point of the NPU
 *       binding that makes exactly one downcall ({@code npu_get_allocation_count}, an atomic load,
 *       linked with {@code Linker.Option.critical}), as the backend itself calls it;</li>
 *   <li>{@code versionCritical} / {@code versionPlain}: {@code npu_get_version} (returns a constant)
 *       through a handle this class links itself, with and without {@code Linker.Option.critical},
 *       to separate the cost of the thread-state transition;</li>
 *   <li>{@code javaBaseline}: a plain Java read of a field, the floor of the harness.</li>
 * </ul>
 *
 * <p>The library for the self-linked handles is the one named by {@code -Daccel.npu.library}, else
 * the copy packed in the backend-npu-stub jar ({@code native/linux-x86_64/libaccelnpu.so}, or
 * linux-aarch64), extracted to a temporary file deleted at exit. It needs {@code --enable-native-access=ALL-UNNAMED}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NpuDowncallBenchmark {
    /*
     * The handles are static final, as the binding's own are, so that the JIT treats them as
     * constants and inlines the downcall stub; a handle in an instance field is invoked through a
     * generic method-handle dispatch instead and measures several nanoseconds more.
     */
    private static final MethodHandle VERSION_CRITICAL;
    private static final MethodHandle VERSION_PLAIN;

    static {
        NpuDevice.nativeAllocationCount(); // loads the binding; fails here, with its fix, if it cannot
        MemorySegment symbol = SymbolLookup.libraryLookup(libraryPath(), Arena.global()).find("npu_get_version")
                .orElseThrow(() -> new IllegalStateException("libaccelnpu lacks npu_get_version"));
        FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_INT);
        VERSION_CRITICAL = Linker.nativeLinker().downcallHandle(symbol, fd, Linker.Option.critical(false));
        VERSION_PLAIN = Linker.nativeLinker().downcallHandle(symbol, fd);
    }

    private int javaValue = 0x10000;

    @Setup(Level.Trial)
    public void setup() throws Throwable {
        int a = (int) VERSION_CRITICAL.invokeExact();
        int b = (int) VERSION_PLAIN.invokeExact();
        if (a != b || a >>> 16 != 1) {
            throw new IllegalStateException("npu_get_version returned " + Integer.toHexString(a) + " and "
                    + Integer.toHexString(b) + ", expected the same 1.x version from both handles");
        }
    }

    @Benchmark
    public long binding() {
        return NpuDevice.nativeAllocationCount();
    }

    @Benchmark
    public int versionCritical() throws Throwable {
        return (int) VERSION_CRITICAL.invokeExact();
    }

    @Benchmark
    public int versionPlain() throws Throwable {
        return (int) VERSION_PLAIN.invokeExact();
    }

    @Benchmark
    public int javaBaseline() {
        return javaValue;
    }

    /** The library named by -Daccel.npu.library, else the jar's copy extracted to a temporary file. */
    private static Path libraryPath() {
        String override = System.getProperty("accel.npu.library");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String arch = System.getProperty("os.arch");
        String platform = arch.equals("aarch64") || arch.equals("arm64") ? "linux-aarch64" : "linux-x86_64";
        String resource = "native/" + platform + "/libaccelnpu.so";
        try (InputStream in = NpuDevice.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the backend-npu-stub jar holds no " + resource
                        + "; rebuild it with gcc, or pass -Daccel.npu.library=/path/to/libaccelnpu.so");
            }
            Path file = Files.createTempFile("libaccelnpu-bench-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to a temporary file", e);
        }
    }
}
