package dev.accel.backend.cuda;

import dev.accel.hal.AccelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel sources packed in this jar under {@code dev/accel/backend/cuda/kernels/}: one
 * {@code .cu} file per module, the headers they share, and, when the build had nvcc, one
 * {@code .fatbin} per module (SASS for sm_80 and sm_90, PTX for compute_90).
 */
final class CudaKernelSources {
    static final String FOLDER = "/dev/accel/backend/cuda/kernels/";
    /** Every module, by the base name of its .cu file. */
    static final List<String> MODULES = List.of("elementwise", "layout", "reduce", "sgemm", "hgemm", "hgemm90", "igemm", "attention");
    /** Every header the modules include. */
    static final List<String> HEADERS = List.of("common.cuh", "gemm.cuh");

    private CudaKernelSources() {
    }

    /** The source text of a module. */
    static String source(String module) {
        return text(module + ".cu");
    }

    /** Every header, name to text, as NVRTC takes them. */
    static Map<String, String> headers() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String h : HEADERS) {
            m.put(h, text(h));
        }
        return m;
    }

    /** True when the build packed fat binaries (it had nvcc). */
    /** Whether a module uses Hopper-only instructions (wgmma): its name ends in 90; built for sm_90a alone. */
    static boolean hopperOnly(String module) {
        return module.endsWith("90");
    }

    static boolean hasFatbins() {
        return CudaKernelSources.class.getResource(FOLDER + MODULES.getFirst() + ".fatbin") != null;
    }

    /** The prebuilt fat binary of a module, if the build made one. */
    static Optional<byte[]> fatbin(String module) {
        try (InputStream in = CudaKernelSources.class.getResourceAsStream(FOLDER + module + ".fatbin")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new AccelException("reading the prebuilt kernels " + module + ".fatbin from the jar failed: " + e, e);
        }
    }

    private static String text(String file) {
        try (InputStream in = CudaKernelSources.class.getResourceAsStream(FOLDER + file)) {
            if (in == null) {
                throw new AccelException("kernel source " + FOLDER + file + " is missing from the backend-cuda jar; rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AccelException("reading kernel source " + file + " failed: " + e, e);
        }
    }
}
