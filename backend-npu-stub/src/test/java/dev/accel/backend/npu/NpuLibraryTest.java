package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Finding and loading the library, what probe() says when it cannot, and the binding's agreement with the header. */
class NpuLibraryTest {
    private static final ClassLoader LOADER = NpuLibraryTest.class.getClassLoader();

    @Test
    void probeSaysAvailableInThisJvm() {
        Availability a = new NpuBackend().probe();
        assertTrue(a.available(), a.toString());
        assertTrue(a.detail().contains("jar:native/linux-x86_64/libaccelnpu.so")
                || a.detail().contains("jar:native/linux-aarch64/libaccelnpu.so"), a.detail());
    }

    @Test
    void probeNamesEachMissingPieceAndItsFix() {
        Availability noAccess = NpuLibrary.probe(null, "Linux", "amd64", false, LOADER);
        assertFalse(noAccess.available());
        assertTrue(noAccess.fix().contains("--enable-native-access=ALL-UNNAMED"), noAccess.fix());

        Availability badPath = NpuLibrary.probe("/nonexistent/libaccelnpu.so", "Linux", "amd64", true, LOADER);
        assertFalse(badPath.available());
        assertTrue(badPath.detail().contains("/nonexistent/libaccelnpu.so") && badPath.detail().contains("not a file"),
                badPath.detail());

        Availability otherOs = NpuLibrary.probe(null, "Windows 11", "amd64", true, LOADER);
        assertFalse(otherOs.available());
        assertTrue(otherOs.detail().contains("Windows 11/amd64") && otherOs.fix().contains("-Daccel.npu.library="),
                otherOs.toString());

        Availability noResource = NpuLibrary.probe(null, "Linux", "amd64", true, new ClassLoader(null) { });
        assertFalse(noResource.available());
        assertTrue(noResource.fix().contains("mvn -pl backend-npu-stub package"), noResource.fix());
    }

    @Test
    void missingNativeAccessIsReportedWithTheFixInAFreshJvm() throws IOException, InterruptedException {
        // A child JVM started without --enable-native-access: probe must say so before anything loads.
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                NpuProbeMain.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("probe: unavailable: native access is not enabled"), out);
        assertTrue(out.contains("open failed: BackendUnavailableException") && out.contains("--enable-native-access"),
                out);
        assertFalse(out.contains("WARNING: A restricted method"), "a restricted method ran without native access: " + out);
    }

    @Test
    void discoveredThroughServiceLoaderAsNpu() {
        List<Backend> found = Backends.discover().stream().filter(b -> b.id().equals("npu")).toList();
        assertEquals(1, found.size());
        assertTrue(found.get(0) instanceof NpuBackend);
    }

    @Test
    void deviceInfoAndProfileComeFromTheLibrary() {
        NpuDevice d = NpuTestSupport.open();
        try {
            assertEquals("npu:0", d.info().id());
            assertEquals(DeviceKind.NPU, d.info().kind());
            assertFalse(d.info().sharesHostMemory());
            assertEquals(1L << 30, d.info().memoryBytes());
            assertTrue(d.info().name().contains("simulated"), d.info().name());
            assertEquals("int8, uint8, float16", d.info().details().get("compute dtypes"));
            assertEquals(24e12, d.profile().peak(DType.I8));
            assertEquals(12e12, d.profile().peak(DType.F16));
            assertEquals(0.0, d.profile().peak(DType.F32), "no float32 at all");
            assertEquals(64e9, d.profile().memoryBandwidth());
            assertEquals(30e-6, d.profile().dispatchLatency(), 1e-12);
            assertFalse(d.profile().measured());
        } finally {
            NpuTestSupport.closeAndCheckNoLeak(d);
        }
    }

    @Test
    void bindingAgreesWithTheLibrary() {
        NpuNative.ensureLoaded();
        assertEquals(NpuLibrary.REQUIRED_MAJOR, NpuNative.version() >>> 16);
        for (int s = 0; s < NpuStatus.NAMES.size(); s++) {
            assertEquals(NpuStatus.NAMES.get(s), NpuNative.statusName(s), "status " + s);
            assertFalse(NpuNative.statusMessage(s).isEmpty());
        }
        assertEquals("NPU_STATUS_UNKNOWN", NpuNative.statusName(NpuStatus.NAMES.size()));
        assertEquals(NpuLayouts.TENSOR_DESC.byteSize(), NpuNative.structSize(NpuLayouts.STRUCT_TENSOR_DESC));
        assertEquals(NpuLayouts.NODE_DESC.byteSize(), NpuNative.structSize(NpuLayouts.STRUCT_NODE_DESC));
        assertEquals(120, NpuLayouts.TENSOR_DESC.byteSize());
        assertEquals(248, NpuLayouts.NODE_DESC.byteSize());
        assertTrue(NpuLibrary.loadedFrom().contains("version 1.1"), NpuLibrary.loadedFrom());
    }
}
