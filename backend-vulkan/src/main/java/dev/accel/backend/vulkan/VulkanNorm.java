package dev.accel.backend.vulkan;

import dev.accel.hal.Shape;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans the row-wise family, one work group per row with shared-memory reductions: Softmax,
 * LayerNormalization, ReduceMean and GlobalAveragePool.
 */
final class VulkanNorm {
    /** Invocations per row (a power of two, for the tree reductions). */
    static final int ROW_WG = 64;
    private static final int MAXR = 6;

    private VulkanNorm() {
    }

    /** One work group per row, grid-stride over {@code rows}. */
    static void rowDispatch(VulkanPlanBuilder b, String shader, Map<String, String> defines, int[] push, long rows,
                            VulkanPlanBuilder.Bound... bound) {
        b.dispatch(shader, defines, new int[] {ROW_WG, 1, 1}, push, VulkanPlanBuilder.groups(rows, 1), 1, 1, bound);
    }

    static void softmax(VulkanPlanBuilder b, Softmax s) {
        Shape x = b.inType(0).shape();
        int a = x.normalizeAxis(s.axis());
        long outer = x.product(0, a);
        long len = x.dim(a);
        long inner = x.product(a + 1, x.rank());
        long rows = outer * inner;
        if (len == 0) {
            return;
        }
        int[] push = new VulkanPlanBuilder.Push().u(rows).u(len).u(Math.max(1, inner)).u(0).u(1).u(1).uarr(new long[0], 4)
                .words();
        rowDispatch(b, "softmax", Map.of(), push, rows, b.read("x", b.in(0)), b.write("y", b.out(0)));
    }

    static void layerNorm(VulkanPlanBuilder b, LayerNorm op) {
        Shape x = b.inType(0).shape();
        int a = x.normalizeAxis(op.axis());
        long rows = x.product(0, a);
        long len = x.product(a, x.rank());
        Shape norm = Shape.of(java.util.Arrays.copyOfRange(x.dims(), a, x.rank()));
        long[] ss = b.inType(1).shape().broadcastStrides(norm);
        boolean hasBias = b.spec.inputs().size() == 3;
        long[] sb = hasBias ? b.inType(2).shape().broadcastStrides(norm) : new long[ss.length];
        VulkanShapes.Strided s = VulkanShapes.coalesce(VulkanShapes.dims(norm), ss, sb);
        VulkanShapes.requireRank(s, MAXR, "LayerNormalization's scale and bias broadcast");
        int[] push = new VulkanPlanBuilder.Push().u(rows).u(len).f(op.epsilon()).u(s.rank()).uarr(s.dims(), MAXR)
                .uarr(s.strides()[0], MAXR).uarr(s.strides()[1], MAXR).words();
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("x", b.in(0)));
        bound.add(b.read("scale", b.in(1)));
        if (hasBias) {
            bound.add(b.read("bias", b.in(2)));
        }
        bound.add(b.write("y", b.out(0)));
        if (len > 0) {
            rowDispatch(b, "layernorm", Map.of(), push, rows, bound.toArray(VulkanPlanBuilder.Bound[]::new));
        }
    }

    static void reduceMean(VulkanPlanBuilder b, ReduceMean r) {
        Shape x = b.inType(0).shape();
        reduce(b, x, r.resolvedAxes(x.rank()));
    }

    static void globalAveragePool(VulkanPlanBuilder b) {
        reduce(b, b.inType(0).shape(), new int[] {2, 3});
    }

    private static void reduce(VulkanPlanBuilder b, Shape x, int[] axes) {
        long[] dims = VulkanShapes.dims(x);
        long[] strides = VulkanShapes.contiguous(dims);
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) {
            reduced[a] = true;
        }
        List<Long> kd = new ArrayList<>();
        List<Long> ks = new ArrayList<>();
        List<Long> rd = new ArrayList<>();
        List<Long> rs = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            (reduced[i] ? rd : kd).add(dims[i]);
            (reduced[i] ? rs : ks).add(strides[i]);
        }
        VulkanShapes.Strided kept = VulkanShapes.coalesce(toArray(kd), toArray(ks));
        VulkanShapes.Strided red = VulkanShapes.coalesce(toArray(rd), toArray(rs));
        VulkanShapes.requireRank(kept, MAXR, "ReduceMean's kept dimensions");
        VulkanShapes.requireRank(red, MAXR, "ReduceMean's reduced dimensions");
        long outN = kept.total();
        int[] push = new VulkanPlanBuilder.Push().u(outN).u(red.total()).u(kept.rank()).u(red.rank())
                .uarr(kept.dims(), MAXR).uarr(kept.strides()[0], MAXR).uarr(red.dims(), MAXR).uarr(red.strides()[0], MAXR)
                .words();
        rowDispatch(b, "reduce", Map.of(), push, outN, b.read("x", b.in(0)), b.write("y", b.out(0)));
    }

    private static long[] toArray(List<Long> v) {
        return v.stream().mapToLong(Long::longValue).toArray();
    }
}
