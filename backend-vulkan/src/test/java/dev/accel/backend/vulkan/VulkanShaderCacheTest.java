package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.Kernel;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPIR-V is cached by source hash in memory and on disk; pipelines are shared between kernels. */
class VulkanShaderCacheTest extends VulkanTestSupport {

    @Test
    void spirvComesFromMemoryThenDiskThenShaderc() {
        VulkanGlsl.Variant v = new VulkanGlsl.Variant("unary", List.of(
                new VulkanGlsl.Binding("x", DType.F32, false, VulkanGlsl.Access.READ),
                new VulkanGlsl.Binding("y", DType.F32, false, VulkanGlsl.Access.WRITE)),
                Map.of("CACHE_TEST_NONCE", Long.toString(System.nanoTime() % 1_000_000_000L)));
        String source = VulkanGlsl.source(v, false);
        long before = VulkanShaders.compilations();
        byte[] first = VulkanShaders.spirv(source, "unary");
        assertEquals(before + 1, VulkanShaders.compilations(), "a new source is compiled");
        assertEquals(0x07230203, java.nio.ByteBuffer.wrap(first).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0), "SPIR-V magic");
        assertArrayEquals(first, VulkanShaders.spirv(source, "unary"));
        assertEquals(before + 1, VulkanShaders.compilations(), "second request hits the memory cache");
        Path dir = VulkanShaders.cacheDir();
        if (dir != null) {
            assertTrue(Files.exists(dir.resolve("spirv")), "disk cache at " + dir);
            VulkanShaders.clearMemoryCache();
            assertArrayEquals(first, VulkanShaders.spirv(source, "unary"));
            assertEquals(before + 1, VulkanShaders.compilations(), "third request reads the disk cache");
        }
    }

    @Test
    void aPipelineCacheOfMegabytesIsReadFromOutsideLwjglsStack(@TempDir Path dir) throws Exception {
        // NVIDIA's driver saves caches of megabytes; reading one onto LWJGL's 64 KiB stack failed
        // the next process's device creation. The driver validates the header and ignores these
        // bytes, so the device must open and run as usual.
        String old = System.getProperty("accel.vulkan.cache");
        System.setProperty("accel.vulkan.cache", dir.toString());
        try {
            byte[] junk = new byte[4 << 20];
            new java.util.Random(3).nextBytes(junk);
            Files.write(dir.resolve("pipeline-" + HexFormat.of().formatHex(device.features().uuid()) + ".bin"), junk);
            try (VulkanDevice second = open()) {
                TensorType t = TensorType.of(DType.F32, 4);
                try (Kernel k = second.prepare(OpSpec.of(Unary.of(Unary.Kind.RELU), t))) {
                    assertEquals(second, k.device());
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty("accel.vulkan.cache");
            } else {
                System.setProperty("accel.vulkan.cache", old);
            }
        }
    }

    @Test
    void compileErrorsNameTheShader() {
        AccelException e = assertThrows(AccelException.class,
                () -> VulkanShaders.spirv("#version 450\nvoid main() { this is not glsl; }\n", "broken"));
        assertTrue(e.getMessage().contains("broken.comp") && e.getMessage().contains("error"), e.getMessage());
    }

    @Test
    void equalVariantsSharePipelines() {
        TensorType a = TensorType.of(DType.F32, 10);
        TensorType b = TensorType.of(DType.F32, 3, 7);
        try (Kernel k1 = device.prepare(OpSpec.of(Unary.of(Unary.Kind.SIGMOID), a))) {
            int n = device.pipelines().size();
            try (Kernel k2 = device.prepare(OpSpec.of(Unary.of(Unary.Kind.SIGMOID), b))) {
                assertEquals(n, device.pipelines().size(), "shapes are push constants: same pipeline");
            }
            try (Kernel k3 = device.prepare(OpSpec.of(Unary.of(Unary.Kind.TANH), a))) {
                assertEquals(n + 1, device.pipelines().size(), "the kind is a specialisation constant: a new pipeline");
            }
        }
    }
}
