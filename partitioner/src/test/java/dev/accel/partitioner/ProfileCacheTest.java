package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCacheTest {
    @Test
    void aStoredProfileLoadsBackAsMeasured(@TempDir Path dir) {
        ProfileCache c = new ProfileCache(dir);
        assertTrue(c.load("npu:0").isEmpty());
        DeviceProfile p = Synthetic.profile(0, 3e12, 5e10, 2e-5, 7e9, 3e-6);
        c.store("npu:0", p);
        DeviceProfile back = c.load("npu:0").orElseThrow();
        assertTrue(back.measured());
        assertEquals(3e12, back.peak(DType.F16));
        assertEquals(0, back.peak(DType.F32));
        assertEquals(p.memoryBandwidth(), back.memoryBandwidth());
        assertEquals(p.dispatchLatency(), back.dispatchLatency());
        assertEquals(p.hostLinkBandwidth(), back.hostLinkBandwidth());
        assertEquals(p.hostLinkLatency(), back.hostLinkLatency());
    }
}
