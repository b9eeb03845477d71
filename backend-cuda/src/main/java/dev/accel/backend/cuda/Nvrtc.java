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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NVRTC, the CUDA run-time compiler, bound through the foreign function API to whichever
 * library is installed: {@code libnvrtc.so.13} (CUDA 13) or {@code libnvrtc.so.12} (CUDA 12), or
 * the file named by the system property {@code accel.cuda.nvrtc} or the environment variable
 * {@code ACCEL_CUDA_NVRTC}. (JCuda's own NVRTC binding links against {@code libnvrtc.so.12} only.)
 * The handles are resolved once, at {@link #load}.
 *
 * <p>Thread-safe: NVRTC programs are independent.
 */
@SuppressWarnings("restricted") // binding a native library is the point of this class
final class Nvrtc {
    static final List<String> SONAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final AddressLayout ADDR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

    private final Path path;
    private final String version;
    private final MethodHandle create;
    private final MethodHandle compile;
    private final MethodHandle ptxSize;
    private final MethodHandle ptx;
    private final MethodHandle logSize;
    private final MethodHandle log;
    private final MethodHandle destroy;
    private final MethodHandle errorString;

    private Nvrtc(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        this.create = handle(linker, lib, "nvrtcCreateProgram", FunctionDescriptor.of(INT, ADDR, ADDR, ADDR, INT, ADDR, ADDR));
        this.compile = handle(linker, lib, "nvrtcCompileProgram", FunctionDescriptor.of(INT, ADDR, INT, ADDR));
        this.ptxSize = handle(linker, lib, "nvrtcGetPTXSize", FunctionDescriptor.of(INT, ADDR, ADDR));
        this.ptx = handle(linker, lib, "nvrtcGetPTX", FunctionDescriptor.of(INT, ADDR, ADDR));
        this.logSize = handle(linker, lib, "nvrtcGetProgramLogSize", FunctionDescriptor.of(INT, ADDR, ADDR));
        this.log = handle(linker, lib, "nvrtcGetProgramLog", FunctionDescriptor.of(INT, ADDR, ADDR));
        this.destroy = handle(linker, lib, "nvrtcDestroyProgram", FunctionDescriptor.of(INT, ADDR));
        this.errorString = handle(linker, lib, "nvrtcGetErrorString", FunctionDescriptor.of(ADDR, INT));
        MethodHandle versionHandle = handle(linker, lib, "nvrtcVersion", FunctionDescriptor.of(INT, ADDR, ADDR));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(INT);
            MemorySegment minor = a.allocate(INT);
            int r = (int) versionHandle.invokeExact(major, minor);
            this.version = r == 0 ? major.get(INT, 0) + "." + minor.get(INT, 0) : "unknown";
        } catch (Throwable t) {
            throw new BackendUnavailableException("NVRTC at " + path + ": nvrtcVersion failed: " + t, t);
        }
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new BackendUnavailableException(
                "NVRTC library lacks the symbol " + name + "; fix: install NVRTC 12 or 13 (the CUDA toolkit's cuda-nvrtc package)"));
        return linker.downcallHandle(sym, fd);
    }

    /** Where the library would be loaded from, if anywhere: the override, else the first of {@link #SONAMES} found. */
    static Optional<Path> locate(CudaLibraries libraries) {
        String override = System.getProperty("accel.cuda.nvrtc", System.getenv("ACCEL_CUDA_NVRTC"));
        if (override != null && !override.isBlank()) {
            return Optional.of(Path.of(override));
        }
        return libraries.findAny(SONAMES);
    }

    /**
     * Loads the library at {@code path} and resolves its functions.
     *
     * @throws BackendUnavailableException when it cannot be loaded (with the fix), or native access is not enabled
     */
    static Nvrtc load(Path path) {
        try {
            return new Nvrtc(path);
        } catch (IllegalCallerException e) {
            throw new BackendUnavailableException("NVRTC at " + path + " cannot be bound: " + e.getMessage()
                    + "; fix: start java with --enable-native-access=ALL-UNNAMED", e);
        } catch (IllegalArgumentException e) {
            throw new BackendUnavailableException("NVRTC at " + path + " cannot be loaded: " + e.getMessage()
                    + "; fix: install NVRTC 12 or 13 (cuda-nvrtc) or point -Daccel.cuda.nvrtc at libnvrtc.so", e);
        }
    }

    Path path() {
        return path;
    }

    /** NVRTC's version, "13.0". */
    String version() {
        return version;
    }

    /**
     * Compiles one source with its headers to PTX.
     *
     * @param headers header file name (as the source includes it) to contents
     * @throws AccelException with NVRTC's error and compiler log when compilation fails
     */
    String compile(String name, String source, Map<String, String> headers, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDR);
            MemorySegment hdrs = a.allocate(ADDR, Math.max(1, headers.size()));
            MemorySegment names = a.allocate(ADDR, Math.max(1, headers.size()));
            int i = 0;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                names.setAtIndex(ADDR, i, a.allocateFrom(h.getKey()));
                hdrs.setAtIndex(ADDR, i, a.allocateFrom(h.getValue()));
                i++;
            }
            check((int) create.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name), headers.size(), hdrs, names),
                    "nvrtcCreateProgram(" + name + ")", null);
            MemorySegment p = prog.get(ADDR, 0);
            try {
                MemorySegment opts = a.allocate(ADDR, Math.max(1, options.size()));
                for (int j = 0; j < options.size(); j++) {
                    opts.setAtIndex(ADDR, j, a.allocateFrom(options.get(j)));
                }
                int r = (int) compile.invokeExact(p, options.size(), opts);
                check(r, "nvrtcCompileProgram(" + name + ", " + options + ")", p);
                MemorySegment size = a.allocate(SIZE_T);
                check((int) ptxSize.invokeExact(p, size), "nvrtcGetPTXSize", p);
                MemorySegment out = a.allocate(size.get(SIZE_T, 0));
                check((int) ptx.invokeExact(p, out), "nvrtcGetPTX", p);
                return out.getString(0, StandardCharsets.US_ASCII);
            } finally {
                int ignored = (int) destroy.invokeExact(prog);
            }
        } catch (AccelException e) {
            throw e;
        } catch (Throwable t) {
            throw new AccelException("NVRTC " + version + " compiling " + name + " failed: " + t, t);
        }
    }

    private void check(int result, String what, MemorySegment program) throws Throwable {
        if (result == 0) {
            return;
        }
        MemorySegment s = (MemorySegment) errorString.invokeExact(result);
        String err = s.reinterpret(256).getString(0, StandardCharsets.US_ASCII);
        String compilerLog = program == null ? "" : "\n" + programLog(program);
        throw new AccelException(what + " failed: " + err + " (" + result + "), NVRTC " + version + " at " + path + compilerLog);
    }

    private String programLog(MemorySegment program) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(SIZE_T);
            if ((int) logSize.invokeExact(program, size) != 0) {
                return "(no compiler log)";
            }
            MemorySegment text = a.allocate(Math.max(1, size.get(SIZE_T, 0)));
            if ((int) log.invokeExact(program, text) != 0) {
                return "(no compiler log)";
            }
            return text.getString(0, StandardCharsets.US_ASCII);
        }
    }
}
