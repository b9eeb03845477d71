package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every kernel source compiles with nvcc to PTX for sm_80 and sm_90, the PTX holds the
 * instructions the design promises (tensor-core mma.sync with ldmatrix and cp.async in hgemm,
 * dp4a in igemm), and every kernel the planners can name is an entry point of its module.
 * Skipped, with the reason, only where nvcc is not installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaKernelCompileTest {
    private static final List<String> ARCHS = List.of("sm_80", "sm_90");
    private final Map<String, String> ptx = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    private Path out;

    static Optional<Path> nvcc() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/local/cuda/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return Optional.of(Path.of(dir, "nvcc"));
            }
        }
        String home = System.getenv("CUDA_HOME");
        return home != null && Files.isExecutable(Path.of(home, "bin", "nvcc")) ? Optional.of(Path.of(home, "bin", "nvcc")) : Optional.empty();
    }

    @BeforeAll
    void compileEverything() throws Exception {
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc is not installed (not on the PATH, not in /usr/local/cuda/bin or $CUDA_HOME/bin):"
                + " the kernel compile check needs the CUDA toolkit");
        out = Files.createTempDirectory("accel-cuda-ptx");
        List<Thread> threads = new ArrayList<>();
        List<String[]> jobs = new ArrayList<>();
        for (String module : CudaKernelSources.MODULES) {
            for (String arch : ARCHS) {
                jobs.add(new String[] {module, arch});
            }
            if (CudaKernelSources.hopperOnly(module) && nvccMajor(nvcc.get()) >= 12) {
                jobs.add(new String[] {module, "sm_90a"}); // sm_90a came with CUDA 12.0
            }
        }
        int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int w = 0; w < workers; w++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = next.getAndIncrement(); i < jobs.size(); i = next.getAndIncrement()) {
                    compile(nvcc.get(), jobs.get(i)[0], jobs.get(i)[1]);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** The CUDA release of nvcc ("release 13.0" -> 13), or 0 when it cannot be read. */
    static int nvccMajor(Path nvcc) {
        try {
            Process p = new ProcessBuilder(nvcc.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("release (\\d+)\\.").matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    private void compile(Path nvcc, String module, String arch) {
        String key = module + "/" + arch;
        try {
            Path src = CudaKernelSourceFiles.FOLDER.resolve(module + ".cu").toAbsolutePath();
            Path dst = out.resolve(module + "-" + arch + ".ptx");
            Process p = new ProcessBuilder(nvcc.toString(), "--ptx", "-std=c++17", "-arch=" + arch, "-I",
                    CudaKernelSourceFiles.FOLDER.toAbsolutePath().toString(), "-o", dst.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                failures.put(key, log);
                return;
            }
            ptx.put(key, Files.readString(dst));
        } catch (IOException | InterruptedException | RuntimeException e) {
            failures.put(key, e.toString());
        }
    }

    @Test
    void everySourceCompilesForSm80AndSm90() {
        assertEquals(Map.of(), failures, "nvcc failures (module/arch -> log)");
        boolean hopper = nvcc().map(CudaKernelCompileTest::nvccMajor).orElse(0) >= 12;
        assertEquals(CudaKernelSources.MODULES.size() * ARCHS.size() + (hopper ? 1 : 0), ptx.size(), "and hgemm90 for sm_90a");
    }

    @Test
    void halfGemmUsesTensorCoreInstructions() {
        for (String arch : ARCHS) {
            String p = ptx.get("hgemm/" + arch);
            assertTrue(p.contains("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"), "F16 mma.sync in hgemm for " + arch);
            assertTrue(p.contains("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"), "BF16 mma.sync in hgemm for " + arch);
            assertTrue(p.contains("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16"), "ldmatrix .trans in hgemm for " + arch);
            assertTrue(p.contains("cp.async.cg.shared.global"), "cp.async in hgemm for " + arch);
        }
    }

    @Test
    void hopperGemmUsesWarpgroupMmaOnlyWhereTheArchitectureHasIt() {
        String p = ptx.get("hgemm90/sm_90a");
        Assumptions.assumeTrue(p != null, "nvcc before 12.0 cannot target sm_90a");
        for (String t : List.of("f16.f16", "bf16.bf16")) {
            assertTrue(p.contains("wgmma.mma_async.sync.aligned.m64n128k16.f32." + t), "wgmma m64n128k16 " + t + " in hgemm90 for sm_90a");
        }
        assertTrue(p.contains("wgmma.commit_group") && p.contains("wgmma.wait_group") && p.contains("fence.proxy.async"),
                "wgmma groups and the proxy fence after cp.async");
        assertTrue(!ptx.get("hgemm90/sm_90").contains("wgmma") && !ptx.get("hgemm90/sm_80").contains("wgmma"),
                "no wgmma outside sm_90a (the kernels trap there; the planner never names them)");
    }

    @Test
    void eightBitGemmUsesDp4aForEverySignedness() {
        for (String arch : ARCHS) {
            String p = ptx.get("igemm/" + arch);
            for (String v : List.of("dp4a.s32.s32", "dp4a.s32.u32", "dp4a.u32.s32", "dp4a.u32.u32")) {
                assertTrue(p.contains(v), v + " in igemm for " + arch);
            }
        }
    }

    @Test
    void floatGemmIsRegisterBlockedWithVectorSharedLoads() {
        String p = ptx.get("sgemm/sm_90");
        Matcher entry = Pattern.compile("\\.entry sgemm_f32\\(").matcher(p);
        assertTrue(entry.find(), "sgemm_f32 entry");
        assertTrue(p.contains("ld.shared.v4.f32"), "float4 shared-memory loads in sgemm");
        assertTrue(count(p, "fma.rn.f32") >= 64, "at least an 8 x 8 block of FMAs per k step in sgemm");
    }

    @Test
    void everyKernelThePlansNameIsAnEntryPointOfItsModule() throws IOException {
        for (String module : CudaKernelSources.MODULES) {
            List<String> names = CudaKernelSourceFiles.entryPoints(module);
            String p = ptx.get(module + "/sm_90");
            for (String n : names) {
                assertTrue(p.contains(".entry " + n + "("), module + " has entry " + n);
            }
        }
        for (CudaPlan.Launch l : CudaPlanTest.everyLaunchOfEveryCase()) {
            assertTrue(ptx.get(l.module() + "/sm_90").contains(".entry " + l.function() + "("), l + " names a kernel of " + l.module());
        }
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
