package dev.accel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Availability;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Transpose;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OclBackendTest {
    @Test
    void foundByServiceLoader() {
        assertTrue(Backends.find("opencl").isPresent(), "META-INF/services registers the backend");
        assertEquals("opencl", new OclBackend().id());
    }

    @Test
    void missingLoaderIsUnavailableWithTheFix() {
        Availability a = OclBackend.probe(Optional.empty());
        assertFalse(a.available());
        assertTrue(a.detail().contains("libOpenCL.so.1"), a.detail());
        assertEquals("install an OpenCL ICD loader and a driver, e.g. ocl-icd-libopencl1 and pocl-opencl-icd", a.fix());
    }

    @Test
    void loaderSearchLooksInFoldersAndTheLinkerCache(@TempDir Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(OclLibrary.find(List.of(empty), null).isEmpty());
        Files.write(lib.resolve("libOpenCL.so.1"), new byte[] {0});
        assertEquals(Optional.of(lib.resolve("libOpenCL.so.1")), OclLibrary.find(List.of(empty, lib), null));
        Path cache = dir.resolve("ld.so.cache");
        Files.writeString(cache, "ld.so-1.7.0 ... libOpenCL.so.1 ... /usr/lib/libOpenCL.so.1");
        assertEquals(Optional.of(cache), OclLibrary.find(List.of(empty), cache));
        Files.writeString(cache, "ld.so-1.7.0 libc.so.6");
        assertTrue(OclLibrary.find(List.of(empty), cache).isEmpty());
    }

    @Test
    void probeAgreesWithTheLoaderOnDisk() {
        assertEquals(OclLibrary.find().isPresent(), new OclBackend().probe().available());
    }

    @Test
    void devicesDescribeThemselves() {
        List<Device> devices = OclTestSupport.openAll();
        try {
            for (int i = 0; i < devices.size(); i++) {
                OclDevice d = (OclDevice) devices.get(i);
                assertEquals("opencl:" + i, d.info().id());
                assertEquals("opencl", d.info().backendId());
                assertFalse(d.info().name().isBlank());
                assertTrue(d.info().memoryBytes() > 0);
                assertEquals(d.cl().hostUnifiedMemory(), d.info().sharesHostMemory());
                assertTrue(d.info().details().containsKey("compute units"));
                if (d.cl().isCpu()) {
                    assertEquals(DeviceKind.CPU, d.info().kind());
                }
                DeviceProfile p = d.profile();
                assertFalse(p.measured());
                double expected = d.cl().computeUnits() * d.cl().clockMhz() * 1e6 * 2
                        * (d.cl().isGpu() ? 64 : d.cl().nativeFloatWidth());
                assertEquals(expected, p.peak(DType.F32), expected * 1e-9);
            }
        } finally {
            devices.forEach(Device::close);
        }
    }

    @Test
    void capabilitiesNameTheirReasons() {
        try (OclDevice d = OclTestSupport.open()) {
            TensorType a32 = TensorType.of(DType.F32, 2, 3);
            TensorType b32 = TensorType.of(DType.F32, 3, 4);
            assertEquals(Support.Level.NATIVE, d.capabilities().support(OpSpec.of(new MatMul(), a32, b32)).level());
            Support f16 = d.capabilities().support(OpSpec.of(new MatMul(), a32.withDType(DType.F16), b32.withDType(DType.F16)));
            if (d.cl().hasExtension("cl_khr_fp16")) {
                assertEquals(Support.Level.NATIVE, f16.level());
            } else {
                assertEquals(Support.Level.EMULATED, f16.level());
                assertTrue(f16.reason().contains("cl_khr_fp16"), f16.reason());
            }
            Support bf16 = d.capabilities().support(OpSpec.of(new MatMul(), a32.withDType(DType.BF16),
                    b32.withDType(DType.BF16)));
            assertEquals(Support.Level.EMULATED, bf16.level());
            assertTrue(bf16.reason().contains("bfloat16"), bf16.reason());
            assertEquals(Support.Level.NATIVE,
                    d.capabilities().support(OpSpec.of(new Transpose(List.of()), TensorType.of(DType.I64, 2, 3))).level());
        }
    }
}
