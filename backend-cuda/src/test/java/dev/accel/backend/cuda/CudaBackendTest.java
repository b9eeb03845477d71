package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Backends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** probe() finds the driver library by file checks only, and says what is missing and the fix. */
class CudaBackendTest {
    @TempDir
    Path tmp;

    private CudaBackend backend(List<Path> caches, List<Path> folders) {
        return new CudaBackend(new CudaLibraries(caches, folders), "Linux", "amd64");
    }

    @Test
    void withoutLibcudaProbeSaysNoDriverAndTheFix() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("lib"));
        CudaBackend b = backend(List.of(tmp.resolve("no-cache")), List.of(empty));
        Availability a = b.probe();
        assertFalse(a.available());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver", a.detail());
        assertTrue(a.fix().contains("install the NVIDIA driver") && a.fix().contains("nvidia-smi"), a.fix());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, b::open);
        assertTrue(e.getMessage().contains("libcuda.so.1 not found: no NVIDIA driver; fix: install the NVIDIA driver"), e.getMessage());
    }

    @Test
    void libcudaInAFolderMakesItAvailableWithItsPath() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("nvidia"));
        Path lib = Files.writeString(dir.resolve("libcuda.so.1"), "not really a library");
        Availability a = backend(List.of(), List.of(tmp.resolve("elsewhere"), dir)).probe();
        assertTrue(a.available());
        assertEquals("driver library " + lib, a.detail());
    }

    @Test
    void theLinkerCacheIsReadForFullPaths() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("x86_64-linux-gnu"));
        Path lib = Files.writeString(dir.resolve("libcuda.so.1"), "");
        Path other = Files.writeString(dir.resolve("libcuda.so.10"), "");
        byte[] cache = ("glibc-ld.so.cache1.1\0\0\0libc.so.6\0/lib/libc.so.6\0libcuda.so.10\0" + other + "\0libcuda.so.1\0" + lib
                + "\0/gone/libcuda.so.1\0").getBytes(StandardCharsets.US_ASCII);
        Path cacheFile = Files.write(tmp.resolve("ld.so.cache"), cache);
        assertEquals(List.of(lib, Path.of("/gone/libcuda.so.1")), CudaLibraries.fromLdCache(cacheFile, "libcuda.so.1"));
        Availability a = backend(List.of(cacheFile), List.of()).probe();
        assertEquals("driver library " + lib, a.detail());
    }

    @Test
    void otherPlatformsAreUnavailableBeforeAnyFileCheck() {
        Availability a = new CudaBackend(new CudaLibraries(List.of(), List.of()), "Mac OS X", "aarch64").probe();
        assertFalse(a.available());
        assertTrue(a.detail().contains("Linux x86_64 only; this is Mac OS X aarch64"), a.detail());
    }

    @Test
    void nvrtcIsFoundUnderEitherMajorVersionPreferringThirteen() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cuda/lib64"));
        Files.writeString(dir.resolve("libnvrtc.so.12"), "");
        CudaLibraries libs = new CudaLibraries(List.of(), List.of(dir));
        assertEquals(dir.resolve("libnvrtc.so.12"), libs.findAny(Nvrtc.SONAMES).orElseThrow());
        Files.writeString(dir.resolve("libnvrtc.so.13"), "");
        assertEquals(dir.resolve("libnvrtc.so.13"), libs.findAny(Nvrtc.SONAMES).orElseThrow());
    }

    @Test
    void serviceLoaderFindsTheBackendAndTheSystemProbeAgreesWithTheLibrarySearch() {
        Backend b = Backends.find("cuda").orElseThrow();
        assertEquals(CudaBackend.class, b.getClass());
        boolean libcuda = CudaLibraries.system().find("libcuda.so.1").isPresent();
        boolean linux64 = System.getProperty("os.name").toLowerCase().contains("linux") && System.getProperty("os.arch").equals("amd64");
        assertEquals(libcuda && linux64, b.probe().available(), b.probe().toString());
    }
}
