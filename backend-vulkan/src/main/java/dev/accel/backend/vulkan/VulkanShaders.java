package dev.accel.backend.vulkan;

import static org.lwjgl.util.shaderc.Shaderc.*;

import dev.accel.hal.AccelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GLSL to SPIR-V at run time with shaderc (LWJGL's binding), cached by the SHA-256 of the full
 * source: first in memory, then on disk under {@link #cacheDir()} as {@code spirv/<hash>.spv}, so a
 * second JVM skips compilation. Compiling at run time (rather than at build time) lets each
 * variant be specialised by dtype and feature with plain {@code #define}s, and needs no shader
 * compiler on the build machine.
 *
 * <p>Thread-safe. A disk cache that cannot be written is skipped (logged once at WARNING); it never
 * changes results.
 */
final class VulkanShaders {
    private static final System.Logger LOG = System.getLogger(VulkanShaders.class.getName());
    /** Changes whenever the compile options below change, so stale cache entries are not reused. */
    private static final String OPTIONS_TAG = "shaderc vulkan1.2 O performance v1\n";

    private static final Map<String, byte[]> MEMORY = new ConcurrentHashMap<>();
    private static long compiler;
    private static long options;
    private static volatile boolean diskWarned;
    private static final java.util.concurrent.atomic.AtomicLong COMPILED = new java.util.concurrent.atomic.AtomicLong();

    private VulkanShaders() {
    }

    /** The cache folder: property {@code accel.vulkan.cache}, else $XDG_CACHE_HOME/accel/vulkan, else ~/.cache/accel/vulkan; null when the property is "off". */
    static Path cacheDir() {
        String p = System.getProperty("accel.vulkan.cache");
        if (p != null) {
            return p.equals("off") ? null : Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "accel", "vulkan");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "accel", "vulkan");
    }

    /** SHA-256 of a string, in hex. */
    static String hash(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Number of shaderc compilations in this JVM (cache misses), for tests of the cache. */
    static long compilations() {
        return COMPILED.get();
    }

    /** Forgets the in-memory cache (tests use it to exercise the disk cache). */
    static void clearMemoryCache() {
        MEMORY.clear();
    }

    /**
     * SPIR-V words for a source (as bytes, little-endian), from the cache or compiled now.
     *
     * @param name the shader's name, for error messages
     * @throws AccelException with shaderc's message when the source does not compile
     */
    static byte[] spirv(String source, String name) {
        String key = hash(OPTIONS_TAG + source);
        byte[] cached = MEMORY.get(key);
        if (cached != null) {
            return cached;
        }
        Path dir = cacheDir();
        Path file = dir == null ? null : dir.resolve("spirv").resolve(key + ".spv");
        if (file != null && Files.isRegularFile(file)) {
            try {
                byte[] b = Files.readAllBytes(file);
                if (b.length >= 20 && b.length % 4 == 0 && b[0] == 0x03 && b[1] == 0x02 && b[2] == 0x23 && b[3] == 0x07) {
                    MEMORY.put(key, b);
                    return b;
                }
            } catch (IOException e) {
                warnDisk(file, e);
            }
        }
        byte[] code = compile(source, name);
        MEMORY.put(key, code);
        if (file != null) {
            try {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), key, ".tmp");
                Files.write(tmp, code);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | UnsupportedOperationException e) {
                warnDisk(file, e);
            }
        }
        return code;
    }

    private static void warnDisk(Path file, Exception e) {
        if (!diskWarned) {
            diskWarned = true;
            LOG.log(System.Logger.Level.WARNING, "SPIR-V disk cache unusable at " + file + " (" + e
                    + "); compiling in memory only. Set -Daccel.vulkan.cache=<dir> or =off.");
        }
    }

    private static synchronized byte[] compile(String source, String name) {
        if (compiler == 0) {
            compiler = shaderc_compiler_initialize();
            if (compiler == 0) {
                throw new AccelException("vulkan: shaderc_compiler_initialize failed (the lwjgl-shaderc natives may be missing)");
            }
            options = shaderc_compile_options_initialize();
            shaderc_compile_options_set_target_env(options, shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_2);
            shaderc_compile_options_set_optimization_level(options, shaderc_optimization_level_performance);
        }
        long result = shaderc_compile_into_spv(compiler, source, shaderc_compute_shader, name + ".comp", "main", options);
        if (result == 0) {
            throw new AccelException("vulkan: shaderc returned no result for " + name + ".comp");
        }
        try {
            int status = shaderc_result_get_compilation_status(result);
            if (status != shaderc_compilation_status_success) {
                throw new AccelException("vulkan: shader " + name + ".comp does not compile (shaderc status " + status + "): "
                        + shaderc_result_get_error_message(result));
            }
            ByteBuffer bytes = shaderc_result_get_bytes(result);
            byte[] code = new byte[bytes.remaining()];
            bytes.get(code);
            COMPILED.incrementAndGet();
            return code;
        } finally {
            shaderc_result_release(result);
        }
    }
}
