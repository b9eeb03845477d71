package dev.accel.backend.cuda;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.UnsupportedOpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * Loads kernel modules on one device, each once, and finds their functions.
 *
 * <p>Kernel compilation (also README.md, "Kernel compilation"): the build runs nvcc, when it
 * has it, to make one fat binary per module with SASS for sm_80 and sm_90 and PTX for
 * compute_90, packed in the jar. Loading tries that first: the driver runs the SASS as is on
 * every 8.x and 9.x GPU and compiles the PTX for newer ones. When the jar has no fat binary,
 * or the driver refuses it (an older driver than the nvcc that built it, an older GPU), the
 * module's CUDA C source is compiled with NVRTC (13 or 12, bound through FFM, see {@link Nvrtc})
 * for this GPU's {@code compute_XY}, and the PTX is cached on disk per architecture under
 * {@code accel.cuda.cache} (default {@code ~/.cache/accel/cuda}), keyed by a hash of the sources,
 * options and NVRTC version. The system property {@code accel.cuda.kernels} = {@code prebuilt}
 * or {@code nvrtc} forces one path (default {@code auto}).
 *
 * <p>Thread-safe; the device closes it.
 */
final class CudaModules {
    private final CudaDevice device;
    private final CudaArch arch;
    private final CudaLibraries libraries;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, String> origins = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private Nvrtc nvrtc;

    CudaModules(CudaDevice device, CudaArch arch, CudaLibraries libraries) {
        this.device = device;
        this.arch = arch;
        this.libraries = libraries;
    }

    /** The kernel {@code name} of {@code module}, loading the module on first use. */
    synchronized CUfunction function(String module, String name) {
        String key = module + "." + name;
        CUfunction f = functions.get(key);
        if (f != null) {
            return f;
        }
        CUmodule m = modules.get(module);
        if (m == null) {
            m = load(module);
            modules.put(module, m);
        }
        f = new CUfunction();
        CudaErrors.check(JCudaDriver.cuModuleGetFunction(f, m, name), "cuModuleGetFunction(" + key + ") on " + device.info().id()
                + " (module from " + origins.get(module) + ")");
        functions.put(key, f);
        return f;
    }

    /** Bytes of dynamic shared memory a block may use without opting in. */
    static final int DEFAULT_SHARED_BYTES = 48 << 10;

    /**
     * The kernel {@code name} of {@code module}, allowed {@code sharedBytes} of dynamic shared
     * memory per block: above 48 KiB a kernel must opt in (CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES),
     * up to the device's per-block limit.
     */
    synchronized CUfunction function(String module, String name, int sharedBytes) {
        CUfunction f = function(module, name);
        if (sharedBytes > DEFAULT_SHARED_BYTES) {
            int limit = device.facts().maxSharedOptIn();
            if (sharedBytes > limit) {
                throw new UnsupportedOpException(module + "." + name + " needs " + sharedBytes + " bytes of shared memory per block; "
                        + device.info().id() + " allows " + limit);
            }
            CudaErrors.check(JCudaDriver.cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    sharedBytes), "cuFuncSetAttribute(" + module + "." + name + ", max dynamic shared memory " + sharedBytes + ")");
        }
        return f;
    }

    /** How each loaded module was obtained, module to description. */
    synchronized Map<String, String> origins() {
        return Map.copyOf(origins);
    }

    private CUmodule load(String module) {
        String mode = System.getProperty("accel.cuda.kernels", "auto");
        List<String> tried = new ArrayList<>();
        device.context().bind();
        if (!mode.equals("nvrtc")) {
            Optional<byte[]> fat = CudaKernelSources.fatbin(module);
            if (fat.isPresent()) {
                CUmodule m = new CUmodule();
                int r = JCudaDriver.cuModuleLoadData(m, fat.get());
                if (r == 0) {
                    origins.put(module, CudaKernelSources.hopperOnly(module) ? "prebuilt fat binary (SASS sm_90a)"
                            : "prebuilt fat binary (SASS sm_80, sm_90; PTX compute_90)");
                    return m;
                }
                if (!CudaErrors.binaryMismatch(r)) {
                    CudaErrors.check(r, "cuModuleLoadData(" + module + ".fatbin) on " + device.info().id());
                }
                tried.add("the prebuilt fat binary does not fit " + arch.sm() + " or this driver (" + CudaErrors.name(r) + ")");
            } else {
                tried.add("the jar has no prebuilt fat binary (it was built without nvcc)");
            }
            if (mode.equals("prebuilt")) {
                throw new AccelException("module " + module + " on " + device.info().id() + ": " + tried
                        + ", and accel.cuda.kernels=prebuilt forbids NVRTC");
            }
        }
        Nvrtc compiler = compiler(module, tried);
        // Hopper-only modules need the architecture-specific target (wgmma exists only in sm_90a).
        String target = CudaKernelSources.hopperOnly(module) ? arch.compute() + "a" : arch.compute();
        List<String> options = List.of("--gpu-architecture=" + target, "--std=c++17");
        String ptx = compileCached(compiler, module, options);
        CUmodule m = new CUmodule();
        byte[] image = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
        int r = JCudaDriver.cuModuleLoadData(m, image);
        if (r != 0) {
            String hint = CudaErrors.binaryMismatch(r) ? "; NVRTC " + compiler.version() + " may be newer than the driver ("
                    + CudaDriver.driverVersion() + "): use an NVRTC no newer than the driver, via -Daccel.cuda.nvrtc" : "";
            throw CudaErrors.exception(r, "cuModuleLoadData of the NVRTC-compiled " + module + " on " + device.info().id() + hint);
        }
        origins.put(module, "NVRTC " + compiler.version() + " (" + target + ", " + compiler.path() + ")");
        return m;
    }

    private Nvrtc compiler(String module, List<String> tried) {
        if (nvrtc == null) {
            Optional<Path> path = Nvrtc.locate(libraries);
            if (path.isEmpty()) {
                throw new BackendUnavailableException("module " + module + " on " + device.info().id() + " (" + arch.sm() + "): "
                        + String.join("; ", tried) + "; and NVRTC was not found (looked for " + Nvrtc.SONAMES
                        + " in the linker cache and " + libraries.folders().size() + " folders); fix: install NVRTC"
                        + " (apt install cuda-nvrtc-13-0 or cuda-nvrtc-12-x, or pip install nvidia-cuda-nvrtc-cu12)"
                        + " or point -Daccel.cuda.nvrtc at a libnvrtc.so");
            }
            nvrtc = Nvrtc.load(path.get());
        }
        return nvrtc;
    }

    private String compileCached(Nvrtc compiler, String module, List<String> options) {
        String source = CudaKernelSources.source(module);
        Map<String, String> headers = CudaKernelSources.headers();
        Path file = cacheFolder().resolve(arch.compute()).resolve(module + "-" + hash(compiler, source, headers, options) + ".ptx");
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            // Unreadable cache entry: compile again.
        }
        String ptx = compiler.compile(module + ".cu", source, headers, options);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), module, ".tmp");
            Files.writeString(tmp, ptx, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            System.getLogger(CudaModules.class.getName()).log(System.Logger.Level.DEBUG,
                    "cannot cache PTX at " + file + ": " + e + "; it will be compiled again next time");
        }
        return ptx;
    }

    static Path cacheFolder() {
        String p = System.getProperty("accel.cuda.cache");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("user.home", "."), ".cache", "accel", "cuda");
    }

    private static String hash(Nvrtc compiler, String source, Map<String, String> headers, List<String> options) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((compiler.version() + "\n" + options + "\n" + source).getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> h : headers.entrySet()) {
                md.update((h.getKey() + "\n" + h.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Unloads every module. */
    synchronized void close() {
        device.context().bind();
        for (CUmodule m : modules.values()) {
            JCudaDriver.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
    }
}
