package dev.accel.backend.opencl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the OpenCL ICD loader library on disk without loading it, for a cheap
 * {@link OclBackend#probe()}: the usual library folders, {@code LD_LIBRARY_PATH}, then the dynamic
 * linker's cache ({@code /etc/ld.so.cache}).
 */
final class OclLibrary {
    /** Fix printed whenever OpenCL cannot run. */
    static final String FIX = "install an OpenCL ICD loader and a driver, e.g. ocl-icd-libopencl1 and pocl-opencl-icd";

    private static final List<String> NAMES = List.of("libOpenCL.so.1", "libOpenCL.so", "libOpenCL.dylib", "OpenCL.dll");

    private OclLibrary() {
    }

    /** The folders searched on this machine, in order. */
    static List<Path> defaultFolders() {
        List<Path> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String s : ld.split(java.io.File.pathSeparator)) {
                if (!s.isBlank()) {
                    dirs.add(Path.of(s));
                }
            }
        }
        for (String s : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/x86_64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib", "/usr/local/lib",
                "/usr/local/cuda/lib64", "/opt/rocm/lib", "/System/Library/Frameworks/OpenCL.framework/Versions/A")) {
            dirs.add(Path.of(s));
        }
        String sysRoot = System.getenv("SystemRoot");
        if (sysRoot != null) {
            dirs.add(Path.of(sysRoot, "System32"));
        }
        return dirs;
    }

    /** Where the loader is, searching {@code folders} and then the linker cache file {@code ldCache} (may be null). */
    static Optional<Path> find(List<Path> folders, Path ldCache) {
        for (Path d : folders) {
            for (String n : NAMES) {
                Path p = d.resolve(n);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
            Path framework = d.resolve("OpenCL");
            if (d.toString().endsWith("OpenCL.framework/Versions/A") && Files.isRegularFile(framework)) {
                return Optional.of(framework);
            }
        }
        if (ldCache != null && Files.isRegularFile(ldCache)) {
            try {
                String cache = new String(Files.readAllBytes(ldCache), StandardCharsets.ISO_8859_1);
                if (cache.contains("libOpenCL.so.1")) {
                    return Optional.of(ldCache);
                }
            } catch (IOException e) {
                // An unreadable cache says nothing either way: the library is simply not found here.
            }
        }
        return Optional.empty();
    }

    /** Searches this machine's usual places. */
    static Optional<Path> find() {
        return find(defaultFolders(), Path.of("/etc/ld.so.cache"));
    }
}
