package dev.accel.backend.vulkan;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Plans the layout family for every dtype (raw elements of 1, 2, 4 or 8 bytes): Identity and
 * Reshape as buffer copies; Transpose, Slice, Concat and Split as strided copies (copy_nd.comp);
 * Pad on pad.comp.
 */
final class VulkanLayout {
    private static final int MAXR = 8;

    private VulkanLayout() {
    }

    static void identity(VulkanPlanBuilder b) {
        b.copy(b.in(0), b.out(0), b.outType(0).byteSize());
    }

    /** One copy_nd dispatch: for each index over {@code dims}, dst[dstOff + c . ds] = src[srcOff + c . ss]. */
    private static void copyNd(VulkanPlanBuilder b, VulkanPlan.Ref src, VulkanPlan.Ref dst, long[] dims, long[] ss, long[] ds,
                               long srcOff, long dstOff) {
        VulkanShapes.Strided s = VulkanShapes.coalesce(dims, ss, ds);
        VulkanShapes.requireRank(s, MAXR, b.spec.op().name());
        int[] push = new VulkanPlanBuilder.Push().u(s.rank()).u(s.total()).i(srcOff).i(dstOff).uarr(s.dims(), MAXR)
                .iarr(s.strides()[0], MAXR).iarr(s.strides()[1], MAXR).words();
        b.dispatch1d("copy_nd", Map.of(), new int[0], push, s.total(), b.readRaw("src", src), b.writeRaw("dst", dst));
    }

    static void transpose(VulkanPlanBuilder b, Transpose t) {
        Shape x = b.inType(0).shape();
        int[] p = t.resolvedPerm(x.rank());
        long[] inStrides = VulkanShapes.contiguous(VulkanShapes.dims(x));
        long[] outDims = VulkanShapes.dims(b.outType(0).shape());
        long[] ss = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            ss[i] = inStrides[p[i]];
        }
        copyNd(b, b.in(0), b.out(0), outDims, ss, VulkanShapes.contiguous(outDims), 0, 0);
    }

    static void slice(VulkanPlanBuilder b, Slice s) {
        Shape x = b.inType(0).shape();
        Slice.Range[] r = s.resolve(x);
        long[] inStrides = VulkanShapes.contiguous(VulkanShapes.dims(x));
        long[] outDims = VulkanShapes.dims(b.outType(0).shape());
        long[] ss = new long[r.length];
        long off = 0;
        for (int d = 0; d < r.length; d++) {
            ss[d] = (long) r[d].step() * inStrides[d];
            off += r[d].count() == 0 ? 0 : (long) r[d].start() * inStrides[d];
        }
        copyNd(b, b.in(0), b.out(0), outDims, ss, VulkanShapes.contiguous(outDims), off, 0);
    }

    static void concat(VulkanPlanBuilder b, Concat c) {
        Shape y = b.outType(0).shape();
        int a = y.normalizeAxis(c.axis());
        long[] outStrides = VulkanShapes.contiguous(VulkanShapes.dims(y));
        long at = 0;
        for (int i = 0; i < b.spec.inputs().size(); i++) {
            long[] dims = VulkanShapes.dims(b.inType(i).shape());
            copyNd(b, b.in(i), b.out(0), dims, VulkanShapes.contiguous(dims), outStrides, 0, at * outStrides[a]);
            at += dims[a];
        }
    }

    static void split(VulkanPlanBuilder b, Split s) {
        Shape x = b.inType(0).shape();
        int a = x.normalizeAxis(s.axis());
        long[] inStrides = VulkanShapes.contiguous(VulkanShapes.dims(x));
        long at = 0;
        for (int o = 0; o < b.spec.outputs().size(); o++) {
            long[] dims = VulkanShapes.dims(b.outType(o).shape());
            copyNd(b, b.in(0), b.out(o), dims, inStrides, VulkanShapes.contiguous(dims), at * inStrides[a], 0);
            at += dims[a];
        }
    }

    static void pad(VulkanPlanBuilder b, Pad p) {
        TensorType x = b.inType(0);
        long[] in = VulkanShapes.dims(x.shape());
        long[] out = VulkanShapes.dims(b.outType(0).shape());
        int r = in.length;
        if (r > MAXR) {
            VulkanPlanBuilder.unsupported("Pad of rank " + r + "; the shader handles rank " + MAXR);
        }
        long[] begin = new long[r];
        for (int d = 0; d < r; d++) {
            begin[d] = p.pads().get(d);
        }
        long bits = constantBits(x.dtype(), p.value());
        int mode = switch (p.mode()) {
            case CONSTANT -> 0;
            case EDGE -> 1;
            case REFLECT -> 2;
        };
        int[] push = new VulkanPlanBuilder.Push().u(r).u(b.outType(0).numel()).u(mode).u(bits & 0xffffffffL).u(bits >>> 32)
                .uarr(out, MAXR).uarr(in, MAXR).uarr(begin, MAXR).words();
        String constant = switch (x.dtype().byteSize()) {
            case 1 -> "uint8_t(pc.vlo)";
            case 2 -> "uint16_t(pc.vlo)";
            case 4 -> "pc.vlo";
            default -> "uvec2(pc.vlo, pc.vhi)";
        };
        b.dispatch1d("pad", Map.of("PAD_CONST", constant), new int[0], push, b.outType(0).numel(), b.readRaw("x", b.in(0)),
                b.writeRaw("y", b.out(0)));
    }

    /** The bits of {@code value} stored in {@code dtype}, converted as {@link HostTensor#setDouble} converts. */
    static long constantBits(DType dtype, float value) {
        try (HostTensor t = HostTensor.allocate(TensorType.of(dtype))) {
            t.setDouble(0, value);
            return switch (dtype.byteSize()) {
                case 1 -> t.segment().get(ValueLayout.JAVA_BYTE, 0) & 0xffL;
                case 2 -> t.segment().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xffffL;
                case 4 -> t.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0) & 0xffffffffL;
                default -> t.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            };
        }
    }
}
