package dev.accel.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the NVIDIA libraries this backend needs, by file checks only (nothing is loaded): the
 * driver ({@code libcuda.so.1}), NVRTC ({@code libnvrtc.so.13} or {@code .12}) and cuBLAS. It looks
 * in the dynamic linker's cache ({@code /etc/ld.so.cache}, whose string table holds the full path
 * of every library it knows), then in {@code LD_LIBRARY_PATH}, {@code CUDA_HOME}/{@code CUDA_PATH},
 * the usual system and CUDA folders, the folders of the NVIDIA container runtime and WSL, and the
 * folders where NVIDIA's Python wheels (which PyTorch installs) keep NVRTC and cuBLAS.
 *
 * <p>Immutable and thread-safe; {@link #system()} describes this machine, tests build their own.
 */
final class CudaLibraries {
    private final List<Path> ldCaches;
    private final List<Path> folders;

    CudaLibraries(List<Path> ldCaches, List<Path> folders) {
        this.ldCaches = List.copyOf(ldCaches);
        this.folders = List.copyOf(folders);
    }

    /** The search this machine's loader and CUDA installations suggest. */
    static CudaLibraries system() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String p : ld.split(":")) {
                if (!p.isBlank()) {
                    dirs.add(Path.of(p));
                }
            }
        }
        for (String env : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = System.getenv(env);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        for (String p : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib",
                "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib", "/usr/local/cuda/lib64",
                "/usr/local/cuda/targets/x86_64-linux/lib")) {
            dirs.add(Path.of(p));
        }
        dirs.addAll(glob(Path.of("/usr/local"), "cuda-*", "lib64"));
        for (Path site : sitePackages()) {
            for (String pkg : List.of("cuda_nvrtc", "cublas")) {
                dirs.add(site.resolve("nvidia").resolve(pkg).resolve("lib"));
            }
            dirs.add(site.resolve("nvidia").resolve("cu13").resolve("lib"));
        }
        return new CudaLibraries(List.of(Path.of("/etc/ld.so.cache")), new ArrayList<>(dirs));
    }

    private static List<Path> sitePackages() {
        List<Path> out = new ArrayList<>();
        List<Path> roots = new ArrayList<>(List.of(Path.of("/usr/local/lib"), Path.of("/usr/lib")));
        String home = System.getProperty("user.home");
        if (home != null) {
            roots.add(Path.of(home, ".local", "lib"));
        }
        for (Path root : roots) {
            for (Path py : glob(root, "python3*", "")) {
                out.add(py.resolve("dist-packages"));
                out.add(py.resolve("site-packages"));
            }
        }
        out.add(Path.of("/usr/lib/python3/dist-packages"));
        return out;
    }

    private static List<Path> glob(Path dir, String pattern, String child) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            for (Path p : ds) {
                out.add(child.isEmpty() ? p : p.resolve(child));
            }
        } catch (IOException | SecurityException e) {
            // An unreadable folder holds nothing we can load either.
        }
        out.sort(null);
        return out;
    }

    /** The folders searched after the linker cache, in order. */
    List<Path> folders() {
        return folders;
    }

    /** The first existing file for {@code soname}: from the linker cache, else from the folders. */
    Optional<Path> find(String soname) {
        for (Path cache : ldCaches) {
            for (Path p : fromLdCache(cache, soname)) {
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        for (Path dir : folders) {
            Path p = dir.resolve(soname);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The first library found among {@code sonames}, tried in order. */
    Optional<Path> findAny(List<String> sonames) {
        for (String s : sonames) {
            Optional<Path> p = find(s);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /**
     * Paths in a linker cache file that end in {@code "/" + soname}. Both cache formats keep each
     * library's full path as a NUL-terminated string, so this reads strings rather than parsing
     * the binary tables.
     */
    static List<Path> fromLdCache(Path cache, String soname) {
        List<Path> out = new ArrayList<>();
        byte[] data;
        try {
            if (!Files.isRegularFile(cache) || Files.size(cache) > (64 << 20)) {
                return out;
            }
            data = Files.readAllBytes(cache);
        } catch (IOException | SecurityException e) {
            return out;
        }
        byte[] needle = ("/" + soname).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + needle.length <= data.length; i++) {
            if (!matches(data, i, needle) || (i + needle.length < data.length && data[i + needle.length] != 0)) {
                continue;
            }
            int start = i;
            while (start > 0 && data[start - 1] != 0) {
                start--;
            }
            String path = new String(data, start, i + needle.length - start, StandardCharsets.US_ASCII);
            if (path.startsWith("/")) {
                out.add(Path.of(path));
            }
        }
        return out;
    }

    private static boolean matches(byte[] data, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (data[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
