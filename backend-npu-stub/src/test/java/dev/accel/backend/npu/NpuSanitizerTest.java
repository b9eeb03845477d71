package dev.accel.backend.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Builds the C self-test (src/test/c/npu_selftest.c) together with the library's sources under
 * AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer, and runs it. Any report
 * stops the program with a non-zero status. Skipped, with the reason, only where the compiler
 * cannot build with the sanitizers.
 */
class NpuSanitizerTest {
    private static final List<String> SANITIZE = List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer", "-g", "-O1");

    @Test
    void selfTestIsCleanUnderAddressAndUndefinedBehaviorSanitizers() throws IOException, InterruptedException {
        String cc = System.getProperty("accel.npu.cc", "gcc");
        Path src = Path.of(System.getProperty("accel.npu.source.dir", "src"));
        Path out = Path.of(System.getProperty("accel.npu.sanitizer.dir", "target/sanitizer"));
        Files.createDirectories(out);

        Path probe = out.resolve("probe.c");
        Files.writeString(probe, "int main(void) { return 0; }\n");
        List<String> probeCmd = new ArrayList<>(List.of(cc));
        probeCmd.addAll(SANITIZE);
        probeCmd.addAll(List.of("-o", out.resolve("probe").toString(), probe.toString()));
        Result p = run(probeCmd, out);
        Assumptions.assumeTrue(p.status == 0 && run(List.of(out.resolve("probe").toString()), out).status == 0,
                () -> cc + " cannot build and run with " + SANITIZE + " here: " + p.output);

        List<String> build = new ArrayList<>(List.of(cc, "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-pthread", "-Wall",
                "-Wextra", "-Werror"));
        build.addAll(SANITIZE);
        build.addAll(List.of("-I", src.resolve("main/c").toString(), "-o", out.resolve("npu_selftest").toString(),
                src.resolve("test/c/npu_selftest.c").toString()));
        try (Stream<Path> files = Files.list(src.resolve("main/c"))) {
            files.filter(f -> f.toString().endsWith(".c")).sorted().forEach(f -> build.add(f.toString()));
        }
        build.add("-lm");
        Result compiled = run(build, out);
        assertEquals(0, compiled.status, "sanitizer build failed:\n" + compiled.output);

        Result test = run(List.of(out.resolve("npu_selftest").toString()), out);
        assertEquals(0, test.status, "self-test under sanitizers failed:\n" + test.output);
        assertTrue(test.output.contains("ALL PASSED"), test.output);
    }

    private record Result(int status, String output) {
    }

    private static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=0");
        pb.environment().put("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
        pb.environment().remove("ACCELNPU_FAULTS");
        pb.environment().remove("ACCELNPU_DEVICE_COUNT");
        pb.environment().remove("ACCELNPU_MEMORY_BYTES");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out after 120 s:\n" + output);
        }
        return new Result(p.exitValue(), output);
    }
}
