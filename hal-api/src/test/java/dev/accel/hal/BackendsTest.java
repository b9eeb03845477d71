package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void findsNothingWithoutProviders() {
        // hal-api alone registers no backend; discovery is empty, not an error.
        assertTrue(Backends.discover(BackendsTest.class.getClassLoader()).isEmpty());
        assertTrue(Backends.find("cpu").isEmpty());
    }

    @Test
    void availabilityFormatsReasonAndFix() {
        Availability a = Availability.unavailable("libOpenCL.so.1 not found", "apt-get install ocl-icd-libopencl1");
        assertFalse(a.available());
        assertEquals("unavailable: libOpenCL.so.1 not found; fix: apt-get install ocl-icd-libopencl1", a.toString());
    }

    @Test
    void supportAlwaysCarriesAReason() {
        assertTrue(Support.nativeSupport().runnable());
        Support u = Support.unsupported("no fp32 on the NPU");
        assertFalse(u.runnable());
        assertEquals("UNSUPPORTED (no fp32 on the NPU)", u.toString());
    }
}
