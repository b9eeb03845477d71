package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequiredBackendsTest {
    private record StubBackend(String id, Availability availability) implements Backend {
        @Override
        public Availability probe() {
            return availability;
        }

        @Override
        public List<Device> open() {
            throw new UnsupportedOperationException("not opened in this test");
        }
    }

    @Test
    void parsesACommaSeparatedList() {
        assertEquals(Set.of(), RequiredBackends.parse(null));
        assertEquals(Set.of(), RequiredBackends.parse("  "));
        assertEquals(List.of("cpu", "opencl", "vulkan"), List.copyOf(RequiredBackends.parse(" CPU, opencl,,vulkan ,cpu")));
    }

    @Test
    void namesAbsentAndUnavailableBackendsWithReasonAndFix() {
        List<Backend> found = List.of(new StubBackend("cpu", Availability.available("16 lanes")),
                new StubBackend("opencl", Availability.unavailable("libOpenCL.so.1 not found", "apt install ocl-icd-libopencl1")));
        List<String> p = RequiredBackends.problems(RequiredBackends.parse("cpu,opencl,cuda"), found);
        assertEquals(2, p.size(), p.toString());
        assertEquals("ACCEL_REQUIRE lists 'opencl', but it is unavailable: libOpenCL.so.1 not found; fix: apt install "
                + "ocl-icd-libopencl1", p.get(0));
        assertEquals("ACCEL_REQUIRE lists 'cuda', but no backend with that id is on the class path (found: cpu, opencl)",
                p.get(1));
        assertTrue(RequiredBackends.problems(Set.of("cpu"), found).isEmpty());
    }

    @Test
    void skipMessageSaysHowToMakeItAFailure() {
        Backend b = new StubBackend("vulkan", Availability.unavailable("no ICD", "apt install mesa-vulkan-drivers"));
        String m = RequiredBackends.skipMessage(b, b.probe());
        assertTrue(m.contains("'vulkan' is unavailable") && m.contains("no ICD") && m.contains("apt install mesa-vulkan-drivers")
                && m.contains("ACCEL_REQUIRE=vulkan"), m);
    }
}
