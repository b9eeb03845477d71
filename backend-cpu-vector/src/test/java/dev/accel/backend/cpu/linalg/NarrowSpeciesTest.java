package dev.accel.backend.cpu.linalg;

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
 * The kernels on 256- and 128-bit species: {@link NarrowSpeciesCheck} in a child JVM whose vectors
 * are capped with {@code -XX:MaxVectorSize} (the species are {@code static final}, fixed per JVM).
 */
class NarrowSpeciesTest {
    @ParameterizedTest
    @ValueSource(ints = {32, 16})
    void kernelsAreCorrectOnNarrowerVectors(int maxVectorBytes) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-XX:MaxVectorSize=" + maxVectorBytes, "--add-modules", "jdk.incubator.vector",
                "-Daccel.cpu.threads=2", "-cp", System.getProperty("java.class.path"), NarrowSpeciesCheck.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + text);
        // The child's lanes are capped by the flag, and by what this machine has.
        int expectedLanes = Math.min(maxVectorBytes / 4, MicroKernel.L);
        assertTrue(text.contains("lanes=" + expectedLanes + " "), "expected " + expectedLanes + " lanes:\n" + text);
        assertTrue(text.contains("all checks passed"), text);
    }
}
