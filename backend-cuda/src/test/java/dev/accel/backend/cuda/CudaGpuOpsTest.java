package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * GPU: every op family against the float64 reference, in F32, F16 and BF16 (tensor-core GEMM
 * from compute capability 8.0), every layout op in every dtype, Cast between every pair, and the
 * 8-bit ops on dp4a. Skipped without a GPU (see {@link CudaGpu}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaGpuOpsTest {
    private CudaDevice device;
    private Queue queue;

    @BeforeAll
    void open() {
        device = CudaGpu.tryOpen();
        queue = device == null ? null : device.newQueue();
    }

    @AfterAll
    void close() {
        if (device != null) {
            device.close();
        }
    }

    static List<CudaCase> gpuCases() {
        List<CudaCase> cases = new ArrayList<>();
        for (DType d : List.of(DType.F32, DType.F16, DType.BF16)) {
            cases.addAll(CudaOpCases.floatCases(d));
            cases.addAll(CudaQuantCases.cases(d));
            int[] ad = {2, 257, 300};
            int[] bd = {300, 263};
            cases.add(CudaCase.of("MatMul-large-" + d.displayName(), new MatMul(), List.of(CudaOpCases.t(d, ad), CudaOpCases.t(d, bd)),
                    List.of(CudaCase.Fill.uniform(-1, 1)), in -> List.of(CudaLinalgReference.matmul(in.get(0), ad, in.get(1), bd))));
        }
        for (DType d : List.of(DType.F16, DType.BF16)) {
            largeCases(cases, d);
        }
        for (DType d : DType.values()) {
            cases.addAll(CudaOpCases.layoutCases(d));
        }
        cases.addAll(CudaQuantCases.integerCases());
        cases.addAll(CudaQuantCases.castCases());
        return cases;
    }

    /**
     * Problems of M and N over 1024, through the tensor-core kernels' vector copies in every
     * operand layout, with partial tiles in M, N and K (K = 264 ends in half a tile) and a batch.
     */
    private static void largeCases(List<CudaCase> cases, DType d) {
        int m = 1030;
        int k = 264;
        int n = 1096;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Gemm g = new Gemm(1f, 0f, ta, tb);
                int[] ad = ta ? new int[] {k, m} : new int[] {m, k};
                int[] bd = tb ? new int[] {n, k} : new int[] {k, n};
                cases.add(CudaCase.of("Gemm-large-" + (ta ? "t" : "n") + (tb ? "t" : "n") + "-" + d.displayName(), g,
                        List.of(CudaOpCases.t(d, ad), CudaOpCases.t(d, bd)), List.of(CudaCase.Fill.uniform(-1, 1)),
                        in -> List.of(CudaLinalgReference.gemm(g, in.get(0), ad, in.get(1), bd, null, null))));
            }
        }
        int[] ad = {2, 1024, 72};
        int[] bd = {72, 1032};
        cases.add(CudaCase.of("MatMul-large-batched-" + d.displayName(), new MatMul(), List.of(CudaOpCases.t(d, ad), CudaOpCases.t(d, bd)),
                List.of(CudaCase.Fill.uniform(-1, 1)), in -> List.of(CudaLinalgReference.matmul(in.get(0), ad, in.get(1), bd))));
    }

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesTheReferenceOnTheGpu() {
        return gpuCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    /** The GEMM cases again with cuBLAS off, so that this backend's kernels are checked where cuBLAS took them above. */
    @TestFactory
    Stream<DynamicTest> gemmCasesMatchOnThisBackendsKernelsToo() {
        return gpuCases().stream().filter(c -> c.spec().op() instanceof MatMul || c.spec().op() instanceof Gemm)
                .map(c -> DynamicTest.dynamicTest(c.name() + "-own-kernel", () -> CudaGpu.withCublasOff(() -> {
                    check(c);
                    return null;
                })));
    }

    @Test
    void cublasTakesTheGemmsItCanRunWhereItIsInstalled() {
        CudaGpu.assume(device);
        TensorType t = TensorType.of(DType.F16, 256, 256);
        try (Kernel k = device.prepare(OpSpec.of(new MatMul(), t, t))) {
            boolean installed = CudaBlas.locate(CudaLibraries.system()).isPresent();
            assertEquals(installed, ((CudaKernel) k).viaBlas() != null, k + ", cuBLAS installed: " + installed);
        }
    }

    private void check(CudaCase c) {
        CudaGpu.assume(device);
        List<HostTensor> in = c.inputs();
        try (Kernel k = device.prepare(c.spec())) {
            List<HostTensor> out = CudaGpu.run(device, queue, k, in);
            assertNull(c.compare(out, c.expected(in)), k.toString());
            out.forEach(HostTensor::close);
        } finally {
            in.forEach(HostTensor::close);
        }
    }
}
