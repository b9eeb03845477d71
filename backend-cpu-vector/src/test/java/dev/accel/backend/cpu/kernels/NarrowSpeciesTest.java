package dev.accel.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels on 128- and 256-bit vectors (4 and 8 float lanes, as on NEON and AVX2): the species
 * are {@code static final}, fixed per JVM, so {@link NarrowKernelsCheck} runs in a child JVM
 * whose vectors {@code -XX:MaxVectorSize} caps. With 4 lanes the byte species is wider than a
 * float vector's worth of bytes, so the masked byte loads and stores of Cast and the quantizers
 * run too.
 */
class NarrowSpeciesTest {
    @ParameterizedTest
    @ValueSource(ints = {16, 32})
    void everyFamilyAgreesWithItsScalarTwinOnNarrowerVectors(int maxVectorBytes) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:MaxVectorSize=" + maxVectorBytes, "--add-modules", "jdk.incubator.vector",
                "-Daccel.cpu.threads=2", "-cp", System.getProperty("java.class.path"), NarrowKernelsCheck.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + text);
        int lanes = Math.min(maxVectorBytes / 4, Vec.L);
        assertTrue(text.contains("lanes=" + lanes + " "), "expected " + lanes + " lanes:\n" + text);
        assertTrue(text.contains("all checks passed"), text);
    }
}
