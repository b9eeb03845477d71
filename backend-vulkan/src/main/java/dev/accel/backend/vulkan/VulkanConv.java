package dev.accel.backend.vulkan;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plans convolution (float, ConvInteger, QLinearConv) on conv.comp and pooling on pool.comp. */
final class VulkanConv {
    private static final int F_WZP_PER_CH = 2;
    private static final int F_WSCALE_PER_CH = 4;

    private VulkanConv() {
    }

    private static int[] push(Shape x, Shape w, Shape y, Conv2d g, int flags) {
        return new VulkanPlanBuilder.Push().u(x.dim(0)).u(x.dim(1)).u(x.dim(2)).u(x.dim(3)).u(w.dim(0)).u(y.dim(2))
                .u(y.dim(3)).u(w.dim(2)).u(w.dim(3)).u(g.strideH()).u(g.strideW()).u(g.padTop()).u(g.padLeft())
                .u(g.dilationH()).u(g.dilationW()).u(g.groups()).u(flags).u(y.numel()).words();
    }

    static void conv(VulkanPlanBuilder b, Conv2d g) {
        Shape y = b.outType(0).shape();
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("x", b.in(0)));
        bound.add(b.read("w", b.in(1)));
        if (b.spec.inputs().size() == 3) {
            bound.add(b.read("bias", b.in(2)));
        }
        bound.add(b.write("y", b.out(0)));
        b.dispatch1d("conv", Map.of(), new int[0], push(b.inType(0).shape(), b.inType(1).shape(), y, g, 0), y.numel(),
                bound.toArray(VulkanPlanBuilder.Bound[]::new));
    }

    static void convInteger(VulkanPlanBuilder b, ConvInteger op) {
        Shape y = b.outType(0).shape();
        int n = b.spec.inputs().size();
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("x", b.in(0)));
        bound.add(b.read("w", b.in(1)));
        int flags = 0;
        if (n > 2) {
            bound.add(b.read("xzp", b.in(2)));
        }
        if (n > 3) {
            bound.add(b.read("wzp", b.in(3)));
            flags |= b.inType(3).numel() > 1 ? F_WZP_PER_CH : 0;
        }
        bound.add(b.write("y", b.out(0)));
        b.dispatch1d("conv", Map.of("INT_MODE", "1"), new int[0],
                push(b.inType(0).shape(), b.inType(1).shape(), y, op.geometry(), flags), y.numel(),
                bound.toArray(VulkanPlanBuilder.Bound[]::new));
    }

    static void qLinearConv(VulkanPlanBuilder b, QLinearConv op) {
        Shape y = b.outType(0).shape();
        List<VulkanPlanBuilder.Bound> bound = new ArrayList<>();
        bound.add(b.read("x", b.in(0)));
        bound.add(b.read("w", b.in(3)));
        bound.add(b.read("xzp", b.in(2)));
        bound.add(b.read("wzp", b.in(5)));
        bound.add(b.read("xs", b.in(1)));
        bound.add(b.read("ws", b.in(4)));
        bound.add(b.read("ys", b.in(6)));
        bound.add(b.read("yzp", b.in(7)));
        if (b.spec.inputs().size() == 9) {
            bound.add(b.read("bias", b.in(8)));
        }
        bound.add(b.write("y", b.out(0)));
        int flags = (b.inType(5).numel() > 1 ? F_WZP_PER_CH : 0) | (b.inType(4).numel() > 1 ? F_WSCALE_PER_CH : 0);
        b.dispatch1d("conv", VulkanLinalg.quantDefines(b.outType(0).dtype()), new int[0],
                push(b.inType(0).shape(), b.inType(3).shape(), y, op.geometry(), flags), y.numel(),
                bound.toArray(VulkanPlanBuilder.Bound[]::new));
    }

    static void pool(VulkanPlanBuilder b, Pool2d p) {
        Shape x = b.inType(0).shape();
        Shape y = b.outType(0).shape();
        int flags = (p.kind() == Pool2d.PoolKind.MAX ? 1 : 0) | (p.countIncludePad() ? 2 : 0);
        int[] push = new VulkanPlanBuilder.Push().u(x.dim(2)).u(x.dim(3)).u(y.dim(2)).u(y.dim(3)).u(p.kernelH())
                .u(p.kernelW()).u(p.strideH()).u(p.strideW()).u(p.padTop()).u(p.padLeft()).u(p.padBottom())
                .u(p.padRight()).u(p.dilationH()).u(p.dilationW()).u(flags).u(y.numel()).words();
        b.dispatch1d("pool", Map.of(), new int[0], push, y.numel(), b.read("x", b.in(0)), b.write("y", b.out(0)));
    }
}
