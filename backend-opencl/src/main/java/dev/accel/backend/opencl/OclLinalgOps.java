package dev.accel.backend.opencl;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Gemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.jocl.cl_mem;

/** MatMul, Gemm, MatMulInteger and QLinearMatMul on the tiled GEMM kernel of gemm.cl. */
final class OclLinalgOps {
    private OclLinalgOps() {
    }

    /**
     * A built GEMM kernel: the local-memory tiled one ({@code tile} set) or the register-blocked one
     * ({@code block} set), with its launch geometry.
     */
    record GemmFn(OclFunction fn, OclTiles.Tile tile, OclTiles.Block block) {
        long[] local() {
            return tile != null ? new long[] {tile.lx(), tile.ly(), 1} : null;
        }

        long[] global(long m, long n, long batches) {
            if (tile != null) {
                return new long[] {ceilDiv(n, tile.tn()) * tile.lx(), ceilDiv(m, tile.tm()) * tile.ly(), batches};
            }
            return new long[] {ceilDiv(m, block.rm()), ceilDiv(n, (long) block.cn() * block.vw()), batches};
        }
    }

    /**
     * Geometry of a batched product: M x N outputs over K, element strides of A and B, the leading
     * dimension of C, and the batch count with its offset table (four longs per batch).
     */
    record Geometry(int m, int n, int k, long sam, long sak, long sbk, long sbn, long ldc, long batches, cl_mem offsets) {
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * The GEMM kernel for these type options. Devices without dedicated local memory use the
     * register-blocked kernel; the others the tiled kernel with the best tile whose work-group the
     * built kernel allows.
     */
    static GemmFn gemmFn(OclPrep p, long m, long n, String typeOptions) {
        OclTiles tiles = p.device.tiles();
        if (tiles.registerBlocked()) {
            OclTiles.Block b = tiles.block();
            return new GemmFn(p.fn("gemm_rb", typeOptions + " " + b.options(), "gemm_rb.cl"), null, b);
        }
        for (OclTiles.Tile t : tiles.forShape(m, n)) {
            OclFunction f = p.fn("gemm", typeOptions + " " + t.options(), "gemm.cl");
            if (f.maxWorkGroupSize() >= t.threads()) {
                return new GemmFn(f, t, null);
            }
        }
        throw new AccelException(p.device.info().id() + ": no GEMM tile fits the kernel's work-group limit for "
                + p.spec);
    }

    /**
     * Packs {@code batches} row-major {@code rows x cols} matrices transposed into a contiguous
     * scratch of {@code cols x rows} each, so the register-blocked kernel reads B along n.
     */
    record Transposer(OclFunction fn, cl_mem meta, long count, long bytes) {
        cl_mem run(OclPlan plan, OclPrep p, cl_mem src) {
            cl_mem dst = plan.scratch(bytes);
            plan.run(fn, count, src, dst, meta, p.ix(count), p.ix(0), p.ix(0));
            return dst;
        }
    }

    /**
     * A constant {@code rows x cols} matrix packed transposed ({@code cols x rows}, row-major) into
     * read-only memory the prepared op owns: what {@link Transposer} makes at every dispatch, made once.
     */
    static cl_mem packTransposed(OclPrep p, HostTensor m, int rows, int cols) {
        int e = m.dtype().byteSize();
        MemorySegment src = m.segment();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate((long) rows * cols * e, 64);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    long from = (long) r * cols + c;
                    long to = (long) c * rows + r;
                    switch (e) {
                        case 4 -> dst.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, to, src.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, from));
                        case 2 -> dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, to,
                                src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, from));
                        default -> MemorySegment.copy(src, from * e, dst, to * e, e);
                    }
                }
            }
            return p.own(p.device.constMem(dst, "Gemm's constant B packed transposed"));
        }
    }

    static Transposer transposer(OclPrep p, DType d, long batches, int rows, int cols) {
        int[] dims = {Math.toIntExact(batches), cols, rows};
        long[] src = {(long) rows * cols, 1, cols};
        long[] dst = Shape.of(dims).strides();
        String e = "-DE=" + switch (d.byteSize()) {
            case 1 -> "uchar";
            case 2 -> "ushort";
            case 4 -> "uint";
            default -> "ulong";
        };
        long count = batches * rows * cols;
        return new Transposer(p.fn("strided_copy", e, "layout.cl"), p.meta(OclShapes.collapse(dims, src, dst)), count,
                count * d.byteSize());
    }

    static String floatTypes(DType a, DType b, DType c, DType ci) {
        return "-DTA=" + a.name() + " -DTB=" + b.name() + " -DTC=" + c.name() + " -DTCI=" + ci.name();
    }

    /** Enqueues a float GEMM: C = alpha * A B + beta * CI (when {@code ci} is non-null). */
    static void runFloat(OclPlan plan, GemmFn g, Geometry geo, cl_mem a, cl_mem b, cl_mem c, cl_mem ci, cl_mem zeros,
                         long cism, long cisn, float alpha, float beta, long[] bases) {
        plan.run(g.fn(), g.global(geo.m(), geo.n(), geo.batches()), g.local(), a, b, c, ci == null ? zeros : ci, cism, cisn,
                alpha, beta, ci == null ? 0 : 1, geo.offsets(), bases[0], bases[1], bases[2], bases[3], geo.m(), geo.n(),
                geo.k(), geo.sam(), geo.sak(), geo.sbk(), geo.sbn(), geo.ldc());
    }

    /** The quantization parameters of an integer GEMM; unused ones are the device's zeros. */
    record IntParams(cl_mem azp, long azs, cl_mem bzp, long bzs, cl_mem bias, long bs, cl_mem as, cl_mem bsc, long ssm,
                     long ssn, cl_mem ys, cl_mem yzp) {
    }

    static void runInt(OclPlan plan, GemmFn g, Geometry geo, cl_mem a, cl_mem b, cl_mem c, IntParams q, long[] bases) {
        plan.run(g.fn(), g.global(geo.m(), geo.n(), geo.batches()), g.local(), a, b, c, q.azp(), q.azs(), q.bzp(), q.bzs(),
                q.bias(), q.bs(), q.as(), q.bsc(), q.ssm(), q.ssn(), q.ys(), q.yzp(), geo.offsets(), bases[0], bases[1],
                bases[2], bases[3], geo.m(), geo.n(), geo.k(), geo.sam(), geo.sak(), geo.sbk(), geo.sbn(), geo.ldc());
    }

    /** numpy matmul geometry for A and B (1-D operands promoted), row-major, with the batch offset table. */
    static Geometry matmulGeometry(OclPrep p, Shape a, Shape b) {
        int[] ad = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.dims();
        int[] bd = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
        Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] sa = batchA.broadcastStrides(batch);
        long[] sb = batchB.broadcastStrides(batch);
        int[] dims = batch.dims();
        long batches = batch.numel();
        if (batches > Integer.MAX_VALUE / 4) {
            throw new AccelException(p.spec + ": " + batches + " batched products exceed the offset table limit");
        }
        long[] offs = new long[(int) (4 * Math.max(1, batches))];
        for (int bi = 0; bi < batches; bi++) {
            long rem = bi;
            long ao = 0;
            long bo = 0;
            for (int d = dims.length - 1; d >= 0; d--) {
                long c = rem % dims[d];
                rem /= dims[d];
                ao += c * sa[d];
                bo += c * sb[d];
            }
            offs[4 * bi] = ao * m * k;
            offs[4 * bi + 1] = bo * k * n;
            offs[4 * bi + 2] = (long) bi * m * n;
        }
        return new Geometry(m, n, k, k, 1, n, 1, n, batches, p.longs(offs));
    }

    static OclOp matMul(OclPrep p) {
        TensorType a = p.spec.inputs().get(0);
        TensorType b = p.spec.inputs().get(1);
        DType t = a.dtype();
        Geometry geo = matmulGeometry(p, a.shape(), b.shape());
        GemmFn g = gemmFn(p, geo.m(), geo.n(), floatTypes(t, t, t, t));
        cl_mem zeros = p.device.zeros();
        long[] bases = new long[4];
        return p.done((in, out, plan) -> runFloat(plan, g, geo, in[0], in[1], out[0], null, zeros, 0, 0, 1f, 0f, bases));
    }

    static OclOp gemm(OclPrep p, Gemm op) {
        TensorType a = p.spec.inputs().get(0);
        DType t = a.dtype();
        int m = op.transA() ? a.shape().dim(1) : a.shape().dim(0);
        int k = op.transA() ? a.shape().dim(0) : a.shape().dim(1);
        int n = p.spec.outputs().getFirst().shape().dim(1);
        long sam = op.transA() ? 1 : k;
        long sak = op.transA() ? m : 1;
        boolean pack = op.transB() && p.device.tiles().registerBlocked();
        long sbk = op.transB() && !pack ? 1 : n;
        long sbn = op.transB() && !pack ? k : 1;
        Geometry geo = new Geometry(m, n, k, sam, sak, sbk, sbn, n, 1, p.longs(0, 0, 0, 0));
        // A constant B (the weights of a fully connected layer) is packed once here, not per dispatch.
        HostTensor constB = p.constant(1);
        cl_mem packed = pack && constB != null && (long) n * k > 0 ? packTransposed(p, constB, n, k) : null;
        Transposer tr = pack && packed == null ? transposer(p, t, 1, n, k) : null;
        boolean hasC = p.spec.inputs().size() == 3;
        long[] cs = hasC ? p.spec.inputs().get(2).shape().broadcastStrides(Shape.of(m, n)) : new long[] {0, 0};
        GemmFn g = gemmFn(p, m, n, floatTypes(t, t, t, t));
        cl_mem zeros = p.device.zeros();
        long[] bases = new long[4];
        return p.done((in, out, plan) -> {
            cl_mem b = packed != null ? packed : pack ? tr.run(plan, p, in[1]) : in[1];
            runFloat(plan, g, geo, in[0], b, out[0], hasC ? in[2] : null, zeros, cs[0], cs[1], op.alpha(), op.beta(),
                    bases);
        });
    }

    /** Per-channel parameter stride: 0 for a per-tensor (one-element) parameter, else 1. */
    static long paramStride(TensorType t) {
        return t.numel() == 1 && t.rank() <= 1 ? 0 : 1;
    }

    /** MatMulInteger (int32 out) or QLinearMatMul (requantized 8-bit out). */
    static OclOp matMulInteger(OclPrep p, boolean qlinear) {
        List<TensorType> ins = p.spec.inputs();
        TensorType a = ins.get(0);
        TensorType b = qlinear ? ins.get(3) : ins.get(1);
        DType outT = p.spec.outputs().getFirst().dtype();
        Geometry geo = matmulGeometry(p, a.shape(), b.shape());
        String types = "-DTA=" + a.dtype().name() + " -DTB=" + b.dtype().name() + " -DQOUT=" + outT.name()
                + " -DQOUT_I32=" + (outT == DType.I32 ? 1 : 0);
        GemmFn g = gemmFn(p, geo.m(), geo.n(), types);
        cl_mem z = p.device.zeros();
        long[] bases = new long[4];
        int count = ins.size();
        long bzs = qlinear ? paramStride(ins.get(5)) : (count > 3 ? paramStride(ins.get(3)) : 0);
        long ssn = qlinear ? paramStride(ins.get(4)) : 0;
        return p.done((in, out, plan) -> {
            IntParams q = qlinear
                    ? new IntParams(in[2], 0, in[5], bzs, z, 0, in[1], in[4], 0, ssn, in[6], in[7])
                    : new IntParams(count > 2 ? in[2] : z, 0, count > 3 ? in[3] : z, bzs, z, 0, z, z, 0, 0, z, z);
            runInt(plan, g, geo, in[0], qlinear ? in[3] : in[1], out[0], q, bases);
        });
    }
}
