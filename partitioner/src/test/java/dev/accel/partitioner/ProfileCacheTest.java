package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceProfile;
import dev.accel.hal.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        assertEquals(1.0, back.efficiency(KernelClass.CONV_DEPTHWISE));
    }

    @Test
    void efficienciesRoundTripAndAMalformedFileIsNamed(@TempDir Path dir) throws IOException {
        ProfileCache c = new ProfileCache(dir);
        DeviceProfile p = Synthetic.profile(4e11, 0, 6e10, 2e-6, 2e10, 1e-6);
        DeviceProfile withEff = new DeviceProfile(p.peakOpsPerSecond(), p.memoryBandwidth(), p.dispatchLatency(),
                p.hostLinkBandwidth(), p.hostLinkLatency(), true, Map.of(KernelClass.CONV_DEPTHWISE, 0.12, "Relu", 0.6));
        c.store("cpu:0", withEff);
        DeviceProfile back = c.load("cpu:0").orElseThrow();
        assertEquals(withEff, back);
        assertEquals(0.12, back.efficiency(KernelClass.CONV_DEPTHWISE));
        assertEquals(1.0, back.efficiency(KernelClass.MATMUL));
        Path f = c.file("cpu:0");
        Files.writeString(f, Files.readString(f).replace("efficiency.Relu=0.6", "efficiency.Relu=-1"));
        var e = assertThrows(InvalidArgumentException.class, () -> c.load("cpu:0"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("delete it to calibrate again"), e.getMessage());
    }
}
