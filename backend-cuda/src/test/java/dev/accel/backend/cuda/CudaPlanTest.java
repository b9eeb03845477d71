package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which kernels the planners pick, with which flags and scratch, and what support they report. */
class CudaPlanTest {
    private static final CudaArch TURING = new CudaArch(7, 5);
    private static final CudaArch PASCAL = new CudaArch(6, 0);

    static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }

    /** Every launch of every case, planned for sm_90 and for a 7.5 GPU without the tensor-core path. */
    static List<CudaPlan.Launch> everyLaunchOfEveryCase() {
        List<CudaPlan.Launch> out = new ArrayList<>();
        List<CudaCase> cases = new ArrayList<>(CudaPlanEmulatorTest.allCases());
        cases.addAll(CudaOpCases.floatCases(DType.BF16));
        for (CudaCase c : cases) {
            out.addAll(CudaOps.plan(c.spec(), CudaArch.SM90).launches());
            out.addAll(CudaOps.plan(c.spec(), TURING).launches());
        }
        return out;
    }

    private static CudaPlan.Launch only(OpSpec spec, CudaArch arch) {
        List<CudaPlan.Launch> l = CudaOps.plan(spec, arch).launches();
        assertEquals(1, l.size(), spec + " launches " + l);
        return l.getFirst();
    }

    @Test
    void halfMatMulRunsOnTensorCoresFrom80AndOnCudaCoresBefore() {
        OpSpec spec = OpSpec.of(new MatMul(), t(DType.F16, 256, 64), t(DType.F16, 64, 128));
        CudaPlan.Launch l = only(spec, CudaArch.SM90);
        assertEquals("hgemm90.hgemm90_f16_nn", l.module() + "." + l.function(), "Hopper: wgmma");
        assertEquals("hgemm.hgemm_f16_nn_v", only(spec, new CudaArch(8, 0)).module() + "." + only(spec, new CudaArch(8, 0)).function());
        assertEquals(1, l.args().getInt("vecA"));
        assertEquals(1, l.args().getInt("vecB"));
        assertEquals(List.of(1, 2, 1, 256), List.of(l.gridX(), l.gridY(), l.gridZ(), l.block()));
        assertEquals(Support.Level.NATIVE, CudaOps.support(spec, CudaArch.SM90).level());
        assertEquals("sgemm_f16", only(spec, TURING).function());
        Support s = CudaOps.support(spec, TURING);
        assertEquals(Support.Level.EMULATED, s.level());
        assertTrue(s.reason().contains("tensor-core GEMM needs compute capability 8.0, this GPU has 7.5"), s.reason());
    }

    @Test
    void alignedHalfOperandsTakeTheVectorKernelOrOnHopperWgmmaWithTheirSharedMemory() {
        OpSpec big = OpSpec.of(new MatMul(), t(DType.F16, 4096, 4096), t(DType.F16, 4096, 4096));
        CudaPlan.Launch v = only(big, new CudaArch(8, 6));
        assertEquals("hgemm_f16_nn_v", v.function());
        assertEquals(List.of(32, 32, 1), List.of(v.gridX(), v.gridY(), v.gridZ()));
        // Four stages of A and B, each the larger of 128 x (32 + 8) and 32 x (128 + 8) halves.
        assertEquals(4 * (5120 + 5120) * 2, v.sharedBytes());
        assertTrue(v.sharedBytes() <= 99 << 10, "fits the 99 KiB per block of compute capability 8.6 and 8.9");
        CudaPlan.Launch h = only(big, CudaArch.SM90);
        assertEquals("hgemm90.hgemm90_f16_nn", h.module() + "." + h.function());
        assertEquals(List.of(32, 32, 1), List.of(h.gridX(), h.gridY(), h.gridZ()));
        // Five stages of 128 x 64 and 64 x 128 halves, and 1 KiB to align them to the swizzle pattern.
        assertEquals(5 * 32768 + 1024, h.sharedBytes());
        assertTrue(h.sharedBytes() <= 227 << 10, "fits the 227 KiB per block of compute capability 9.0");
        OpSpec bf = OpSpec.of(new MatMul(), t(DType.BF16, 2, 64, 40), t(DType.BF16, 40, 72));
        assertEquals("hgemm90_bf16_nn", only(bf, CudaArch.SM90).function());
        OpSpec transposed = OpSpec.of(new Gemm(1, 0, true, false), t(DType.F16, 64, 48), t(DType.F16, 64, 40));
        assertEquals("hgemm_f16_tn_v", only(transposed, CudaArch.SM90).function(), "wgmma here takes row-major A and B only");
        OpSpec conv = OpSpec.of(Conv2d.of(1, 1, 1), t(DType.F16, 1, 8, 7, 7), t(DType.F16, 32, 8, 3, 3));
        assertEquals("hgemm_f16_nn", only(conv, CudaArch.SM90).function(), "the implicit im2col needs the element path");
        assertEquals(0, only(OpSpec.of(new MatMul(), t(DType.F32, 4096, 4096), t(DType.F32, 4096, 4096)), CudaArch.SM90).sharedBytes(),
                "the CUDA-core kernel keeps its static shared memory");
    }

    @Test
    void gemmTransposesPickTheTensorCoreLayoutAndUnalignedOperandsTheElementPath() {
        OpSpec tn = OpSpec.of(new Gemm(1, 0, true, false), t(DType.BF16, 64, 48), t(DType.BF16, 64, 40));
        assertEquals("hgemm_bf16_tn_v", only(tn, CudaArch.SM90).function());
        OpSpec nt = OpSpec.of(new Gemm(1, 0, false, true), t(DType.F16, 48, 64), t(DType.F16, 40, 64));
        CudaPlan.Launch l = only(nt, CudaArch.SM90);
        assertEquals("hgemm_f16_nt_v", l.function());
        assertEquals(1, l.args().getInt("vecB"));
        OpSpec odd = OpSpec.of(new MatMul(), t(DType.F16, 33, 17), t(DType.F16, 17, 45));
        CudaPlan.Launch o = only(odd, CudaArch.SM90);
        assertEquals(0, o.args().getInt("vecA"), "K = 17 rows are not 16-byte aligned");
        assertEquals(0, o.args().getInt("vecB"), "N = 45 rows are not 16-byte aligned");
    }

    @Test
    void floatMatMulUsesVectorLoadsWhereRowsAre16ByteAligned() {
        CudaPlan.Launch l = only(OpSpec.of(new MatMul(), t(DType.F32, 4096, 4096), t(DType.F32, 4096, 4096)), CudaArch.SM90);
        assertEquals("sgemm.sgemm_f32", l.module() + "." + l.function());
        assertEquals(1, l.args().getInt("vecA"));
        assertEquals(1, l.args().getInt("vecB"));
        assertEquals(32, l.gridX());
        CudaPlan.Launch odd = only(OpSpec.of(new MatMul(), t(DType.F32, 5, 7), t(DType.F32, 7, 3)), CudaArch.SM90);
        assertEquals(0, odd.args().getInt("vecA"));
        assertEquals(0, odd.args().getInt("vecB"));
    }

    @Test
    void batchedMatMulMergesBatchDimsAndBroadcastsWithZeroStrides() {
        CudaPlan.Launch l = only(OpSpec.of(new MatMul(), t(DType.F32, 2, 1, 33, 17), t(DType.F32, 3, 17, 45)), CudaArch.SM90);
        CudaArgs a = l.args();
        assertEquals(6, a.getLong("batch"));
        assertEquals(2, a.getInt("batchRank"));
        assertEquals(List.of(2L, 3L), List.of(a.getLong("bdims", 0), a.getLong("bdims", 1)));
        assertEquals(List.of(33L * 17, 0L), List.of(a.getLong("bsa", 0), a.getLong("bsa", 1)));
        assertEquals(List.of(0L, 17L * 45), List.of(a.getLong("bsb", 0), a.getLong("bsb", 1)));
        assertEquals(List.of(3L * 33 * 45, 33L * 45), List.of(a.getLong("bsy", 0), a.getLong("bsy", 1)));
    }

    @Test
    void convolutionIsImplicitGemmPerGroupOrDirectForThinGroups() {
        OpSpec gemm = OpSpec.of(Conv2d.of(1, 1, 2), t(DType.F32, 1, 8, 7, 7), t(DType.F32, 32, 4, 3, 3));
        CudaPlan.Launch g = only(gemm, CudaArch.SM90);
        assertEquals("sgemm_f32", g.function());
        assertEquals(1, g.args().getInt("conv"));
        assertEquals(2, g.args().getLong("batch"));
        assertEquals(16 * 36, g.args().getLong("bsa", 0));
        OpSpec half = OpSpec.of(Conv2d.of(1, 1, 1), t(DType.F16, 1, 8, 7, 7), t(DType.F16, 32, 8, 3, 3));
        assertEquals("hgemm_f16_nn", only(half, CudaArch.SM90).function());
        OpSpec depthwise = OpSpec.of(Conv2d.of(1, 1, 6), t(DType.F32, 1, 6, 8, 8), t(DType.F32, 6, 1, 3, 3));
        assertEquals("conv_direct_f32", only(depthwise, CudaArch.SM90).function());
    }

    @Test
    void scratchIsPlannedForAttentionScoresAndHalfSums() {
        CudaPlan a = CudaOps.plan(OpSpec.of(Attention.standard(), t(DType.F32, 2, 3, 5, 8), t(DType.F32, 2, 3, 7, 8),
                t(DType.F32, 2, 3, 7, 6)), CudaArch.SM90);
        assertEquals(List.of(2L * 3 * 5 * 7 * 4), a.scratch());
        CudaPlan s = CudaOps.plan(OpSpec.of(new Sum(), t(DType.F16, 4, 5), t(DType.F16, 5)), CudaArch.SM90);
        assertEquals(List.of(80L), s.scratch());
        assertEquals(List.of("accumulate_f16", "accumulate_f16", "cast_any"), s.launches().stream().map(CudaPlan.Launch::function).toList());
        assertEquals(List.of(), CudaOps.plan(OpSpec.of(new Sum(), t(DType.F32, 4, 5), t(DType.F32, 5)), CudaArch.SM90).scratch());
    }

    @Test
    void contiguousLayoutWorkBecomesPlainCopies() {
        CudaPlan identity = CudaOps.plan(OpSpec.of(new Transpose(List.of(0, 1, 2)), t(DType.I64, 2, 3, 4)), CudaArch.SM90);
        assertEquals(1, identity.steps().size());
        assertInstanceOf(CudaPlan.Copy.class, identity.steps().getFirst());
        CudaPlan rows = CudaOps.plan(OpSpec.of(new Concat(0), t(DType.F16, 2, 3), t(DType.F16, 4, 3)), CudaArch.SM90);
        assertEquals(List.of(new CudaPlan.Copy(CudaRef.input(0), CudaRef.output(0), 12),
                new CudaPlan.Copy(CudaRef.input(1), CudaRef.output(0).plus(12), 24)), rows.steps());
    }

    @Test
    void indexSpacesBeyondEightDimensionsAreUnsupportedWithTheReason() {
        OpSpec spec = OpSpec.of(new Binary(Binary.Kind.ADD), t(DType.F32, 2, 1, 2, 1, 2, 1, 2, 1, 2), t(DType.F32, 1, 2, 1, 2, 1, 2, 1, 2, 1));
        Support s = CudaOps.support(spec, CudaArch.SM90);
        assertEquals(Support.Level.UNSUPPORTED, s.level());
        assertTrue(s.reason().contains("9 dimensions after merging, the CUDA kernels index at most 8"), s.reason());
        OpSpec mergeable = OpSpec.of(new Binary(Binary.Kind.ADD), t(DType.F32, 1, 2, 3, 1, 2, 3, 1, 2, 3), t(DType.F32, 3));
        assertEquals(Support.Level.NATIVE, CudaOps.support(mergeable, CudaArch.SM90).level());
    }

    @Test
    void eightBitGemmNeedsDp4a() {
        OpSpec spec = OpSpec.of(new MatMulInteger(), t(DType.U8, 4, 8), t(DType.I8, 8, 4));
        assertEquals("igemm_us", only(spec, CudaArch.SM90).function());
        Support s = CudaOps.support(spec, PASCAL);
        assertEquals(Support.Level.UNSUPPORTED, s.level());
        assertTrue(s.reason().contains("needs dp4a (compute capability 6.1), this GPU has 6.0"), s.reason());
        assertThrows(UnsupportedOpException.class, () -> CudaOps.plan(spec, PASCAL));
    }

    @Test
    void theCasesCoverEveryOpOfTheSet() {
        Set<Class<?>> covered = new HashSet<>();
        for (CudaCase c : CudaPlanEmulatorTest.allCases()) {
            covered.add(c.spec().op().getClass());
            assertTrue(CudaOps.support(c.spec(), CudaArch.SM90).runnable(), c.name());
        }
        Set<Class<?>> all = new HashSet<>(List.of(Op.class.getPermittedSubclasses()));
        all.removeAll(covered);
        // FusedConv has no CUDA kernel yet: plans keep the Conv and its activation as two kernels here.
        assertEquals(Set.of(FusedConv.class), all, "ops without a case");
        OpSpec fused = OpSpec.of(new FusedConv(Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU)), TensorType.of(DType.F32, 1, 2, 4, 4),
                TensorType.of(DType.F32, 2, 2, 3, 3));
        Support s = CudaOps.support(fused, CudaArch.SM90);
        assertEquals(Support.Level.UNSUPPORTED, s.level());
        assertTrue(s.reason().contains("no fused convolution kernel"), s.reason());
    }
}
