package dev.accel.backend.vulkan;

import static org.lwjgl.vulkan.VK10.VK_PHYSICAL_DEVICE_TYPE_CPU;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Gemm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the matrix family on gemm.comp (tiled through shared memory): MatMul (batched,
 * broadcasting), Gemm, MatMulInteger, QLinearMatMul, and Attention as QK^T, masked softmax, PV
 * with float32 scores in a scratch buffer.
 */
final class VulkanLinalg {
    /**
     * A GEMM dispatch's work-group shape (WX x WY invocations), register tile (TM x TN outputs per
     * invocation) and K slice (BK, double buffered in shared memory).
     */
    record Tile(int wx, int wy, int tm, int tn, int bk) {
        int sharedBytes() {
            return 2 * bk * (wy * tm + wx * tn) * 4;
        }
    }

    /** For tests: the tile every GEMM gets, whatever the device; null to choose per device. */
    static volatile Tile override;

    /**
     * The tile for an M x N problem of {@code batches} on a device: 16 x 16 invocations of 8 x 8
     * outputs (128 x 128 per work group), as on every device; K slices of 16 on a CPU device and 8
     * on a GPU; and on a GPU, 4 x 4 outputs (64 x 64) when 128 x 128 tiles would give fewer than
     * 256 work groups, too few to fill a large GPU. Measured with VulkanBench: lavapipe at n = 1024,
     * K slices of 16 5.9-6.1 GFLOP/s, of 8 5.3; H100 at n = 4096, 21.4 and 26.2 TFLOP/s; H100 at
     * n = 1024 (64 groups of 128 x 128) 6.5-6.8 with either. The accel.vulkan.gemm.* system
     * properties (wx, wy, tm, tn, bk) override the choice for tuning.
     */
    static Tile tile(VulkanFeatures f, long m, long n, long batches) {
        Tile t = override;
        if (t != null) {
            return t;
        }
        boolean gpu = f.deviceType() != VK_PHYSICAL_DEVICE_TYPE_CPU;
        int out = 8;
        if (gpu && ((m + 127) / 128) * ((n + 127) / 128) * batches < 256) {
            out = 4;
        }
        return new Tile(Integer.getInteger("accel.vulkan.gemm.wx", 16), Integer.getInteger("accel.vulkan.gemm.wy", 16),
                Integer.getInteger("accel.vulkan.gemm.tm", out), Integer.getInteger("accel.vulkan.gemm.tn", out),
                Integer.getInteger("accel.vulkan.gemm.bk", gpu ? 8 : 16));
    }

    private static final int MAX_BATCH_RANK = 4;
    private static final int F_TRANS_A = 1;
    private static final int F_TRANS_B = 2;
    private static final int F_BZP_PER_COL = 8;
    private static final int F_BSCALE_PER_COL = 16;

    private VulkanLinalg() {
    }

    /** One gemm.comp dispatch's geometry. */
    private record Geometry(long m, long n, long k, VulkanShapes.Strided batch) {
        long batches() {
            return batch.total();
        }
    }

    /** numpy matmul geometry: 1-D operands promoted, batch dimensions broadcast and coalesced. */
    private static Geometry matmulGeometry(Shape a, Shape b) {
        long[] ad = a.rank() == 1 ? new long[] {1, a.dim(0)} : VulkanShapes.dims(a);
        long[] bd = b.rank() == 1 ? new long[] {b.dim(0), 1} : VulkanShapes.dims(b);
        long m = ad[ad.length - 2];
        long k = ad[ad.length - 1];
        long n = bd[bd.length - 1];
        Shape batchA = Shape.of(toInts(Arrays.copyOf(ad, ad.length - 2)));
        Shape batchB = Shape.of(toInts(Arrays.copyOf(bd, bd.length - 2)));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] sa = batchA.broadcastStrides(batch);
        long[] sb = batchB.broadcastStrides(batch);
        for (int i = 0; i < sa.length; i++) {
            sa[i] *= m * k;
            sb[i] *= k * n;
        }
        VulkanShapes.Strided s = VulkanShapes.coalesce(VulkanShapes.dims(batch), sa, sb);
        VulkanShapes.requireRank(s, MAX_BATCH_RANK, "the batch dimensions of " + a + " x " + b);
        return new Geometry(m, n, k, s);
    }

    private static int[] toInts(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }

    private static int[] push(Geometry g, int flags, float alpha, float beta, long csM, long csN) {
        return new VulkanPlanBuilder.Push().u(g.m()).u(g.n()).u(g.k()).u(flags).f(alpha).f(beta).u(csM).u(csN)
                .u(g.batches()).u(g.batch().rank()).uarr(g.batch().dims(), 4).uarr(g.batch().strides()[0], 4)
                .uarr(g.batch().strides()[1], 4).words();
    }

    private static void dispatch(VulkanPlanBuilder b, Map<String, String> defines, Geometry g, int[] push,
                                 VulkanPlanBuilder.Bound... bound) {
        if (g.m() == 0 || g.n() == 0 || g.batches() == 0) {
            return;
        }
        Tile t = tile(b.features, g.m(), g.n(), g.batches());
        int gx = (int) ((g.n() + (long) t.wx() * t.tn() - 1) / ((long) t.wx() * t.tn()));
        int gy = (int) ((g.m() + (long) t.wy() * t.tm() - 1) / ((long) t.wy() * t.tm()));
        int gz = (int) Math.min(VulkanPlanBuilder.MAX_GROUPS, g.batches());
        int shared = t.sharedBytes();
        if (shared > b.features.maxSharedMemory() || t.wx() * t.wy() > b.features.maxInvocations()) {
            VulkanPlanBuilder.unsupported("the GEMM tile needs " + shared + " bytes of shared memory and " + (t.wx() * t.wy())
                    + " invocations; the device allows " + b.features.maxSharedMemory() + " and " + b.features.maxInvocations());
        }
        b.dispatch("gemm", defines, new int[] {t.wx(), t.wy(), 1, t.tm(), t.tn(), t.bk()}, push, gx, gy, gz, bound);
    }

    static void matMul(VulkanPlanBuilder b) {
        Geometry g = matmulGeometry(b.inType(0).shape(), b.inType(1).shape());
        dispatch(b, Map.of(), g, push(g, 0, 1f, 0f, 0, 0), b.read("a", b.in(0)), b.read("b", b.in(1)), b.write("y", b.out(0)));
    }

    static void gemm(VulkanPlanBuilder b, Gemm op) {
        Shape a = b.inType(0).shape();
        Shape bs = b.inType(1).shape();
        long m = op.transA() ? a.dim(1) : a.dim(0);
        long k = op.transA() ? a.dim(0) : a.dim(1);
        long n = op.transB() ? bs.dim(0) : bs.dim(1);
        Geometry g = new Geometry(m, n, k, VulkanShapes.coalesce(new long[0], new long[0], new long[0]));
        int flags = (op.transA() ? F_TRANS_A : 0) | (op.transB() ? F_TRANS_B : 0);
        if (b.spec.inputs().size() == 3) {
            long[] cs = b.inType(2).shape().broadcastStrides(b.outType(0).shape());
            dispatch(b, Map.of(), g, push(g, flags, op.alpha(), op.beta(), cs[0], cs[1]), b.read("a", b.in(0)),
                    b.read("b", b.in(1)), b.read("c", b.in(2)), b.write("y", b.out(0)));
        } else {
            dispatch(b, Map.of(), g, push(g, flags, op.alpha(), op.beta(), 0, 0), b.read("a", b.in(0)),
                    b.read("b", b.in(1)), b.write("y", b.out(0)));
        }
    }

    static void matMulInteger(VulkanPlanBuilder b) {
        Geometry g = matmulGeometry(b.inType(0).shape(), b.inType(1).shape());
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("a", b.in(0)));
        bound.add(b.read("b", b.in(1)));
        int flags = 0;
        if (b.spec.inputs().size() > 2) {
            bound.add(b.read("azp", b.in(2)));
        }
        if (b.spec.inputs().size() > 3) {
            bound.add(b.read("bzp", b.in(3)));
            flags |= b.inType(3).numel() > 1 ? F_BZP_PER_COL : 0;
        }
        bound.add(b.write("y", b.out(0)));
        dispatch(b, Map.of("INT_MODE", "1"), g, push(g, flags, 1f, 0f, 0, 0), bound.toArray(VulkanPlanBuilder.Bound[]::new));
    }

    static void qLinearMatMul(VulkanPlanBuilder b) {
        Geometry g = matmulGeometry(b.inType(0).shape(), b.inType(3).shape());
        int flags = (b.inType(5).numel() > 1 ? F_BZP_PER_COL : 0) | (b.inType(4).numel() > 1 ? F_BSCALE_PER_COL : 0);
        dispatch(b, quantDefines(b.outType(0).dtype()), g, push(g, flags, 1f, 0f, 0, 0), b.read("a", b.in(0)),
                b.read("b", b.in(3)), b.read("azp", b.in(2)), b.read("bzp", b.in(5)), b.read("as", b.in(1)),
                b.read("bs", b.in(4)), b.read("ys", b.in(6)), b.read("yzp", b.in(7)), b.write("y", b.out(0)));
    }

    /** Defines for a requantizing shader writing {@code out} (int8 or uint8). */
    static Map<String, String> quantDefines(DType out) {
        Map<String, String> d = new HashMap<>();
        d.put("INT_MODE", "1");
        d.put("QLINEAR", "1");
        d.put("Y_LO", out == DType.I8 ? "(-128)" : "0");
        d.put("Y_HI", out == DType.I8 ? "127" : "255");
        return d;
    }

    static void attention(VulkanPlanBuilder b, Attention op) {
        TensorType q = b.inType(0);
        long batch = q.shape().dim(0);
        long heads = q.shape().dim(1);
        long sq = q.shape().dim(2);
        long d = q.shape().dim(3);
        long sk = b.inType(1).shape().dim(2);
        long dv = b.inType(2).shape().dim(3);
        long bh = batch * heads;
        VulkanPlan.Ref scores = b.scratch(DType.F32, bh * sq * sk);
        VulkanShapes.Strided bhBatch = VulkanShapes.coalesce(new long[] {bh}, new long[] {sq * d}, new long[] {sk * d});
        Geometry qk = new Geometry(sq, sk, d, bhBatch);
        dispatch(b, Map.of(), qk, push(qk, F_TRANS_B, (float) op.effectiveScale((int) d), 0f, 0, 0), b.read("a", b.in(0)),
                b.read("b", b.in(1)), b.write("y", scores));

        Map<String, String> defines = new HashMap<>();
        if (op.causal()) {
            defines.put("CAUSAL", "1");
        }
        long[] ms = new long[4];
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("x", scores));
        if (b.spec.inputs().size() == 4) {
            TensorType mask = b.inType(3);
            ms = mask.shape().broadcastStrides(Shape.of((int) batch, (int) heads, (int) sq, (int) sk));
            if (mask.dtype() == DType.BOOL) {
                defines.put("MASK_BOOL", "1");
            }
            bound.add(b.read("mask", b.in(3)));
        }
        bound.add(b.write("y", scores));
        int[] push = new VulkanPlanBuilder.Push().u(bh * sq).u(sk).u(1).u(op.causal() ? 1 : 0).u(heads).u(Math.max(1, sq))
                .uarr(ms, 4).words();
        VulkanNorm.rowDispatch(b, "softmax", defines, push, bh * sq, bound.toArray(VulkanPlanBuilder.Bound[]::new));

        VulkanShapes.Strided pvBatch = VulkanShapes.coalesce(new long[] {bh}, new long[] {sq * sk}, new long[] {sk * dv});
        Geometry pv = new Geometry(sq, dv, sk, pvBatch);
        dispatch(b, Map.of(), pv, push(pv, 0, 1f, 0f, 0, 0), b.read("a", scores), b.read("b", b.in(2)), b.write("y", b.out(0)));
    }
}
