package dev.accel.backend.cuda;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The CUDA backend: NVIDIA GPUs through JCuda's binding of the CUDA driver API, one device per
 * GPU ("cuda:0", "cuda:1", ...). {@link #probe()} only checks that the driver library exists;
 * {@link #open()} loads JCuda, initialises the driver and opens every GPU.
 *
 * <p>JCuda 12.6.0 ships its native driver binding for Linux x86_64 only (see README.md), so that
 * is where this backend runs.
 */
public final class CudaBackend implements Backend {
    static final String NO_DRIVER = "libcuda.so.1 not found: no NVIDIA driver";
    static final String DRIVER_FIX = "install the NVIDIA driver (for example apt install nvidia-driver-570, or the"
            + " cuda-drivers package from NVIDIA's repository) and check that nvidia-smi lists the GPU; in a container,"
            + " start it with the NVIDIA container toolkit (docker run --gpus all)";

    private final CudaLibraries libraries;
    private final String os;
    private final String arch;

    /** The backend for this machine. */
    public CudaBackend() {
        this(CudaLibraries.system(), System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    CudaBackend(CudaLibraries libraries, String os, String arch) {
        this.libraries = libraries;
        this.os = os;
        this.arch = arch;
    }

    @Override
    public String id() {
        return "cuda";
    }

    @Override
    public Availability probe() {
        if (!os.toLowerCase(Locale.ROOT).contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Availability.unavailable("JCuda 12.6.0 ships its CUDA driver binding for Linux x86_64 only; this is "
                    + os + " " + arch, "run on Linux x86_64 with an NVIDIA GPU");
        }
        Optional<Path> libcuda = libraries.find("libcuda.so.1");
        if (libcuda.isEmpty()) {
            return Availability.unavailable(NO_DRIVER, DRIVER_FIX);
        }
        return Availability.available("driver library " + libcuda.get());
    }

    @Override
    public List<Device> open() {
        Availability a = probe();
        if (!a.available()) {
            throw new BackendUnavailableException("cuda backend: " + a.detail() + "; fix: " + a.fix());
        }
        CudaDriver.init();
        int count = CudaDriver.deviceCount();
        if (count == 0) {
            throw new BackendUnavailableException("cuda backend: the driver sees no GPU (cuDeviceGetCount = 0); fix: check"
                    + " nvidia-smi and CUDA_VISIBLE_DEVICES");
        }
        List<Device> devices = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                devices.add(new CudaDevice(i, libraries));
            }
        } catch (RuntimeException e) {
            for (Device d : devices) {
                d.close();
            }
            throw e;
        }
        return List.copyOf(devices);
    }
}
