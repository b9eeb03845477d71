package dev.accel.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.Unary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OclProgramsTest {
    private static List<Path> binaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".bin")).toList();
        }
    }

    private static void exp(OclDevice d) {
        HostTensor x = OclTestSupport.of(DType.F32, new int[] {3}, 0, 1, -1);
        OclTestSupport.assertClose(new double[] {1, Math.E, 1 / Math.E}, OclTestSupport.run1(d, Unary.of(Unary.Kind.EXP), x),
                "exp");
    }

    @Test
    void secondBuildLoadsTheBinaryFromDisk(@TempDir Path cache) throws IOException {
        try (OclDevice base = OclTestSupport.open()) {
            try (OclDevice first = new OclDevice("opencl:0", base.platform(), base.clDevice(), cache)) {
                exp(first);
                assertEquals(1, first.programs().sourceBuilds());
                assertEquals(0, first.programs().binaryLoads());
                assertEquals(1, binaries(cache).size(), "one program binary written");
                OclProgram p1 = first.programs().resources(List.of("elementwise.cl"), "-DIDX=int -DT=F32");
                OclProgram p2 = first.programs().resources(List.of("elementwise.cl"), "-DIDX=int -DT=F32");
                assertSame(p1, p2, "built once per source and options");
            }
            try (OclDevice second = new OclDevice("opencl:0", base.platform(), base.clDevice(), cache)) {
                exp(second);
                assertEquals(0, second.programs().sourceBuilds());
                assertEquals(1, second.programs().binaryLoads());
            }
        }
    }

    @Test
    void aCorruptCacheEntryIsRebuilt(@TempDir Path cache) throws IOException {
        try (OclDevice base = OclTestSupport.open()) {
            try (OclDevice first = new OclDevice("opencl:0", base.platform(), base.clDevice(), cache)) {
                exp(first);
            }
            Path bin = binaries(cache).getFirst();
            Files.write(bin, new byte[] {1, 2, 3, 4});
            try (OclDevice second = new OclDevice("opencl:0", base.platform(), base.clDevice(), cache)) {
                exp(second);
                assertEquals(1, second.programs().sourceBuilds());
                assertTrue(Files.size(bin) > 4, "the entry was rewritten");
            }
        }
    }

    @Test
    void buildFailuresCarryTheLog() {
        try (OclDevice d = OclTestSupport.open()) {
            AccelException e = assertThrows(AccelException.class, () -> d.programs().program("broken",
                    "__kernel void f(__global float *x) { x[0] = undefined_name; }", ""));
            assertTrue(e.getMessage().startsWith("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11) for broken"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("build log:"), e.getMessage());
            assertTrue(e.getMessage().contains("undefined_name"), "the log names the error: " + e.getMessage());
        }
    }
}
