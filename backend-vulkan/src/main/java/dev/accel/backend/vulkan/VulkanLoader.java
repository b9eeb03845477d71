package dev.accel.backend.vulkan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * File-existence checks behind {@link VulkanBackend#probe()}: where the Vulkan loader library and
 * the driver manifests (ICD JSON files) are. Loads nothing and opens no device.
 */
final class VulkanLoader {
    /** The loader's file name on Linux, as LWJGL loads it. */
    static final String LIBRARY = "libvulkan.so.1";

    /** Where NVIDIA's container toolkit puts the driver manifest, outside the loader's default search path. */
    static final Path NVIDIA_CONTAINER_ICD = Path.of("/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json");

    private VulkanLoader() {
    }

    /** The loader library, if found on LD_LIBRARY_PATH or in the usual library folders. */
    static Optional<Path> findLibrary() {
        String override = System.getProperty("org.lwjgl.vulkan.libname");
        if (override != null && Path.of(override).isAbsolute()) {
            return Files.isRegularFile(Path.of(override)) ? Optional.of(Path.of(override)) : Optional.empty();
        }
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(":")));
        }
        dirs.addAll(List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, LIBRARY);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Driver manifests the loader will read: those named by VK_DRIVER_FILES or VK_ICD_FILENAMES when
     * set, else the JSON files in the loader's standard folders.
     */
    static List<Path> driverManifests() {
        List<Path> found = new ArrayList<>();
        for (String var : List.of("VK_DRIVER_FILES", "VK_ICD_FILENAMES")) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) {
                for (String f : v.split(":")) {
                    Path p = Path.of(f);
                    if (Files.isRegularFile(p)) {
                        found.add(p);
                    } else if (Files.isDirectory(p)) {
                        found.addAll(jsonIn(p));
                    }
                }
                return found;
            }
        }
        Set<String> dirs = new LinkedHashSet<>(List.of("/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d",
                "/usr/share/vulkan/icd.d"));
        String xdg = System.getenv("XDG_DATA_DIRS");
        if (xdg != null) {
            for (String d : xdg.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d + "/vulkan/icd.d");
                }
            }
        }
        String home = System.getProperty("user.home");
        if (home != null) {
            dirs.add(home + "/.local/share/vulkan/icd.d");
        }
        for (String d : dirs) {
            found.addAll(jsonIn(Path.of(d)));
        }
        return found;
    }

    private static List<Path> jsonIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (java.io.IOException | SecurityException e) {
            return List.of();
        }
    }
}
