package dev.accel.backend.npu;

import dev.accel.hal.Availability;
import dev.accel.hal.BackendUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Finds, extracts and loads libaccelnpu. The build packs the library into the jar as
 * {@code native/<platform>/libaccelnpu.so} (platform "linux-x86_64" or "linux-aarch64"); at load it
 * is copied to a temporary file, since a library inside a jar cannot be mapped. The system property
 * {@value #LIBRARY_PROPERTY} names another copy (a sanitizer build, a vendor's build) instead.
 *
 * <p>{@link #probe()} is cheap: it checks files and flags and loads nothing. {@link #lookup()}
 * loads once per JVM and remembers the outcome, success or failure.
 */
final class NpuLibrary {
    /** System property naming a libaccelnpu to load instead of the one in the jar. */
    static final String LIBRARY_PROPERTY = "accel.npu.library";
    /** The major version of accelnpu.h this binding was written against. */
    static final int REQUIRED_MAJOR = 1;

    static final String NATIVE_ACCESS_FIX = "start java with --enable-native-access=ALL-UNNAMED (class path) or "
            + "--enable-native-access=<module> (module path), or add 'Enable-Native-Access: ALL-UNNAMED' to an "
            + "executable jar's manifest; ./accel does this";

    /** Every symbol the binding resolves; all are checked before any is used. */
    static final List<String> SYMBOLS = List.of("npu_get_version", "npu_status_name", "npu_status_message",
            "npu_get_last_error_detail", "npu_get_allocation_count", "npu_get_api_call_count", "npu_struct_size",
            "npu_get_device_count", "npu_get_device_properties", "npu_device_open", "npu_device_close",
            "npu_device_get_memory_info", "npu_device_get_stats", "npu_device_set_option", "npu_device_inject_fault",
            "npu_malloc", "npu_free", "npu_buffer_host_pointer", "npu_memcpy_h2d", "npu_memcpy_d2h", "npu_memcpy_d2d", "npu_stream_create",
            "npu_stream_destroy", "npu_stream_synchronize", "npu_memcpy_h2d_async", "npu_memcpy_d2h_async",
            "npu_memcpy_d2d_async", "npu_stream_add_callback", "npu_event_create", "npu_event_signal",
            "npu_event_destroy", "npu_stream_wait_event", "npu_graph_create", "npu_graph_add_tensor",
            "npu_graph_add_node", "npu_graph_compile", "npu_graph_get_info", "npu_graph_destroy", "npu_graph_execute",
            "npu_graph_execute_async");

    private static SymbolLookup loaded;
    private static BackendUnavailableException failure;
    private static String loadedFrom = "";

    private NpuLibrary() {
    }

    /** "linux-x86_64" or "linux-aarch64" for this JVM, or null where no library is built. */
    static String platform(String osName, String osArch) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return null;
        }
        return switch (osArch) {
            case "amd64", "x86_64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> null;
        };
    }

    static String resourceName(String platform) {
        return "native/" + platform + "/libaccelnpu.so";
    }

    /** Cheap availability check for this JVM. */
    static Availability probe() {
        return probe(System.getProperty(LIBRARY_PROPERTY), System.getProperty("os.name"), System.getProperty("os.arch"),
                NpuLibrary.class.getModule().isNativeAccessEnabled(), NpuLibrary.class.getClassLoader());
    }

    /** The probe's logic, with its inputs passed in so that each outcome can be tested. */
    static Availability probe(String overridePath, String osName, String osArch, boolean nativeAccess,
                              ClassLoader loader) {
        String source;
        if (overridePath != null && !overridePath.isBlank()) {
            if (!Files.isRegularFile(Path.of(overridePath))) {
                return Availability.unavailable("-D" + LIBRARY_PROPERTY + " names " + overridePath
                        + ", which is not a file", "point it at a built libaccelnpu.so, or remove it to use the copy "
                        + "inside the backend-npu-stub jar");
            }
            source = overridePath;
        } else {
            String platform = platform(osName, osArch);
            if (platform == null) {
                return Availability.unavailable("no libaccelnpu is built for " + osName + "/" + osArch
                        + " (built: linux-x86_64, linux-aarch64)", "compile backend-npu-stub/src/main/c with a C11 "
                        + "compiler for this platform and pass -D" + LIBRARY_PROPERTY + "=/path/to/libaccelnpu.so");
            }
            String resource = resourceName(platform);
            if (loader == null || loader.getResource(resource) == null) {
                return Availability.unavailable("the backend-npu-stub jar holds no " + resource,
                        "rebuild it on a machine with gcc: mvn -pl backend-npu-stub package");
            }
            source = "jar:" + resource;
        }
        if (!nativeAccess) {
            return Availability.unavailable("native access is not enabled for "
                    + (NpuLibrary.class.getModule().isNamed() ? NpuLibrary.class.getModule().getName()
                    : "the unnamed module (class path)"), NATIVE_ACCESS_FIX);
        }
        return Availability.available("libaccelnpu " + REQUIRED_MAJOR + ".x, a simulated NPU, from " + source);
    }

    /** Where the loaded library came from; empty before a successful load. */
    static synchronized String loadedFrom() {
        return loadedFrom;
    }

    /**
     * The loaded library.
     *
     * @throws BackendUnavailableException when it cannot be found, loaded, lacks a symbol, or is of
     *     another major version; the message says the fix
     */
    static synchronized SymbolLookup lookup() {
        if (loaded != null) {
            return loaded;
        }
        if (failure != null) {
            throw new BackendUnavailableException(failure.getMessage(), failure);
        }
        try {
            loaded = load();
            return loaded;
        } catch (BackendUnavailableException e) {
            failure = e;
            throw e;
        }
    }

    private static SymbolLookup load() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("npu backend: " + a.detail() + "; fix: " + a.fix());
        }
        String override = System.getProperty(LIBRARY_PROPERTY);
        Path path = override != null && !override.isBlank() ? Path.of(override) : extract();
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new BackendUnavailableException("npu backend: cannot load " + path + ": " + e.getMessage()
                    + "; fix: check that it was built for this platform (file " + path + ") and, for "
                    + "IllegalCallerException, " + NATIVE_ACCESS_FIX, e);
        }
        for (String symbol : SYMBOLS) {
            if (lookup.find(symbol).isEmpty()) {
                throw new BackendUnavailableException("npu backend: " + path + " lacks the symbol " + symbol
                        + "; fix: use the libaccelnpu built with this jar (version " + REQUIRED_MAJOR + ".x)");
            }
        }
        int version = version(lookup);
        if (version >>> 16 != REQUIRED_MAJOR) {
            throw new BackendUnavailableException("npu backend: " + path + " is libaccelnpu " + (version >>> 16) + "."
                    + (version & 0xffff) + ", this binding needs " + REQUIRED_MAJOR + ".x; fix: use the libaccelnpu "
                    + "built with this jar");
        }
        loadedFrom = (override != null && !override.isBlank() ? override : "jar (extracted to " + path + ")")
                + ", version " + (version >>> 16) + "." + (version & 0xffff);
        return lookup;
    }

    private static int version(SymbolLookup lookup) {
        MethodHandle h = Linker.nativeLinker().downcallHandle(lookup.find("npu_get_version").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw new BackendUnavailableException("npu backend: npu_get_version failed: " + t, t);
        }
    }

    private static Path extract() {
        String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        String resource = resourceName(platform);
        try (InputStream in = NpuLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new BackendUnavailableException("npu backend: the jar holds no " + resource
                        + "; fix: rebuild it on a machine with gcc: mvn -pl backend-npu-stub package");
            }
            Path file = Files.createTempFile("libaccelnpu-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new BackendUnavailableException("npu backend: cannot extract " + resource + " to a temporary file: "
                    + e.getMessage() + "; fix: make java.io.tmpdir (" + System.getProperty("java.io.tmpdir")
                    + ") writable", e);
        }
    }
}
