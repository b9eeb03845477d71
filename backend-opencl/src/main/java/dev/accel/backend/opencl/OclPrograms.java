package dev.accel.backend.opencl;

import dev.accel.hal.AccelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

/**
 * Builds OpenCL programs once per source, options and device, and caches them: in memory for the
 * device's lifetime, and on disk as the driver's binary under a key that is the SHA-256 of the
 * source, the options, the device name and the driver version. The disk folder is the system
 * property {@code accel.opencl.cache}, else {@code ~/.cache/accel/opencl}. A build failure throws
 * {@link AccelException} with the build log. Thread-safe.
 */
final class OclPrograms implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OclPrograms.class.getName());
    private static final String RESOURCES = "/dev/accel/backend/opencl/";
    private static final Map<String, String> SOURCES = new ConcurrentHashMap<>();

    private final cl_context context;
    private final cl_device_id device;
    private final OclInfo info;
    private final Path cacheDir;
    private final String baseOptions;
    private final Map<String, OclProgram> programs = new ConcurrentHashMap<>();
    private final AtomicInteger sourceBuilds = new AtomicInteger();
    private final AtomicInteger binaryLoads = new AtomicInteger();
    private volatile boolean cacheWarned;
    private volatile boolean closed;

    OclPrograms(cl_context context, cl_device_id device, OclInfo info, Path cacheDir, String baseOptions) {
        this.context = context;
        this.device = device;
        this.info = info;
        this.cacheDir = cacheDir;
        this.baseOptions = baseOptions;
    }

    /** The default disk folder: {@code accel.opencl.cache} or {@code ~/.cache/accel/opencl}. */
    static Path defaultCacheDir() {
        String p = System.getProperty("accel.opencl.cache");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "accel", "opencl");
    }

    /** The program made of common.cl followed by the named resource files, built with {@code options}. */
    OclProgram resources(List<String> files, String options) {
        StringBuilder src = new StringBuilder(source("common.cl"));
        for (String f : files) {
            src.append("\n/* ---- ").append(f).append(" ---- */\n").append(source(f));
        }
        return program(String.join("+", files), src.toString(), options);
    }

    /** The program for this source and options, built or loaded once. */
    OclProgram program(String label, String source, String options) {
        if (closed) {
            throw new IllegalStateException("device " + info.name() + " is closed");
        }
        String full = (baseOptions + " " + options).trim();
        String key = full + "\u0000" + source;
        OclProgram p = programs.get(key);
        if (p != null) {
            return p;
        }
        synchronized (this) {
            p = programs.get(key);
            if (p == null) {
                p = load(label, source, full);
                programs.put(key, p);
            }
            return p;
        }
    }

    /** How many programs were compiled from source, and how many loaded from the disk cache. */
    int sourceBuilds() {
        return sourceBuilds.get();
    }

    int binaryLoads() {
        return binaryLoads.get();
    }

    private OclProgram load(String label, String source, String options) {
        String hash = sha256(source + "\u0000" + options + "\u0000" + info.name() + "\u0000" + info.driverVersion());
        Path file = cacheDir.resolve(hash + ".bin");
        if (Files.isRegularFile(file)) {
            try {
                byte[] bin = Files.readAllBytes(file);
                cl_program prog = fromBinary(bin, options);
                if (prog != null) {
                    binaryLoads.incrementAndGet();
                    return new OclProgram(prog, label, true);
                }
            } catch (IOException e) {
                warnCache("cannot read " + file + ": " + e);
            }
        }
        cl_program prog = fromSource(label, source, options);
        sourceBuilds.incrementAndGet();
        store(prog, file);
        return new OclProgram(prog, label, false);
    }

    private cl_program fromSource(String label, String source, String options) {
        int[] err = new int[1];
        cl_program prog = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, err);
        OclErrors.check(err[0], "clCreateProgramWithSource(" + label + ")");
        int rc = CL.clBuildProgram(prog, 1, new cl_device_id[] {device}, options, null, null);
        if (rc != 0) {
            String log = buildLog(prog);
            CL.clReleaseProgram(prog);
            throw new AccelException(OclErrors.message("clBuildProgram", rc) + " for " + label + " with options '"
                    + options + "' on " + info.name() + "; build log:\n" + log);
        }
        return prog;
    }

    /** A program from a cached binary, or null when the driver rejects it (then it is rebuilt from source). */
    private cl_program fromBinary(byte[] bin, String options) {
        int[] status = new int[1];
        int[] err = new int[1];
        cl_program prog = CL.clCreateProgramWithBinary(context, 1, new cl_device_id[] {device}, new long[] {bin.length},
                new byte[][] {bin}, status, err);
        if (err[0] != 0 || status[0] != 0) {
            if (prog != null && err[0] == 0) {
                CL.clReleaseProgram(prog);
            }
            return null;
        }
        if (CL.clBuildProgram(prog, 1, new cl_device_id[] {device}, options, null, null) != 0) {
            CL.clReleaseProgram(prog);
            return null;
        }
        return prog;
    }

    private void store(cl_program prog, Path file) {
        long[] size = new long[1];
        int rc = CL.clGetProgramInfo(prog, CL.CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
        if (rc != 0 || size[0] == 0) {
            warnCache("the driver gives no program binary (" + OclErrors.name(rc) + ")");
            return;
        }
        byte[] bin = new byte[(int) size[0]];
        rc = CL.clGetProgramInfo(prog, CL.CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(Pointer.to(bin)), null);
        if (rc != 0) {
            warnCache(OclErrors.message("clGetProgramInfo(CL_PROGRAM_BINARIES)", rc));
            return;
        }
        try {
            Files.createDirectories(cacheDir);
            Path tmp = Files.createTempFile(cacheDir, "prog", ".tmp");
            Files.write(tmp, bin);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            warnCache("cannot write " + file + ": " + e);
        }
    }

    /*
     * The disk cache only saves build time: a read-only or full disk must not stop kernels from
     * running, so cache I/O problems are reported once and the program is used as built.
     */
    private void warnCache(String what) {
        if (!cacheWarned) {
            cacheWarned = true;
            LOG.log(System.Logger.Level.WARNING, "OpenCL program cache in " + cacheDir + " not used: " + what);
        }
    }

    private String buildLog(cl_program prog) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(prog, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != 0 || size[0] <= 1) {
            return "(no build log)";
        }
        byte[] buf = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(prog, device, CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, buf.length - 1, StandardCharsets.UTF_8).trim();
    }

    static String source(String file) {
        return SOURCES.computeIfAbsent(file, f -> {
            try (InputStream in = OclPrograms.class.getResourceAsStream(RESOURCES + f)) {
                if (in == null) {
                    throw new AccelException("OpenCL source " + RESOURCES + f + " is missing from the backend-opencl jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AccelException("cannot read OpenCL source " + RESOURCES + f + ": " + e, e);
            }
        });
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (OclProgram p : programs.values()) {
            p.close();
        }
        programs.clear();
    }
}
