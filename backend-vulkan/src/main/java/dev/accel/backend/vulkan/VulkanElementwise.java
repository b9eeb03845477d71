package dev.accel.backend.vulkan;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Unary;
import java.util.HashMap;
import java.util.Map;

/**
 * Plans the elementwise family: Unary, Binary (broadcasting), Sum, BatchNormalization, LRN, Cast,
 * QuantizeLinear and DequantizeLinear. Float16 / bfloat16 are loaded into float32, computed, and
 * stored rounded to nearest even.
 */
final class VulkanElementwise {
    private static final int MAXR = 8;

    private VulkanElementwise() {
    }

    /** The KIND specialisation constant of unary.comp. */
    static int unaryKind(Unary.Kind k) {
        return switch (k) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case SIGMOID -> 2;
            case TANH -> 3;
            case GELU -> 4;
            case GELU_TANH -> 5;
            case ERF -> 6;
            case SQRT -> 7;
            case EXP -> 8;
            case CLIP -> 9;
            case HARD_SIGMOID -> 10;
            case HARD_SWISH -> 11;
        };
    }

    /** The KIND specialisation constant of binary.comp. */
    static int binaryKind(Binary.Kind k) {
        return switch (k) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAX -> 5;
            case MIN -> 6;
            case PRELU -> 7;
        };
    }

    static void unary(VulkanPlanBuilder b, Unary u) {
        long n = b.inType(0).numel();
        int[] push = new VulkanPlanBuilder.Push().u(n).f(u.alpha()).f(u.beta()).words();
        b.dispatch1d("unary", Map.of(), new int[] {unaryKind(u.kind())}, push, n, b.read("x", b.in(0)), b.write("y", b.out(0)));
    }

    static void binary(VulkanPlanBuilder b, Binary o) {
        binaryStep(b, binaryKind(o.kind()), b.in(0), b.inType(0).shape(), b.in(1), b.inType(1).shape(), b.out(0),
                b.outType(0).shape());
    }

    /** y = f(a, b) with a and b broadcast to {@code out}; a or b may be y itself (read before written, per element). */
    static void binaryStep(VulkanPlanBuilder b, int kind, VulkanPlan.Ref a, Shape as, VulkanPlan.Ref bb, Shape bs,
                           VulkanPlan.Ref y, Shape out) {
        long[] dims = VulkanShapes.dims(out);
        VulkanShapes.Strided s = VulkanShapes.coalesce(dims, as.broadcastStrides(out), bs.broadcastStrides(out));
        VulkanShapes.requireRank(s, MAXR, "broadcasting " + as + " and " + bs);
        int[] push = new VulkanPlanBuilder.Push().u(s.rank()).u(s.total()).uarr(s.dims(), MAXR).uarr(s.strides()[0], MAXR)
                .uarr(s.strides()[1], MAXR).words();
        b.dispatch1d("binary", Map.of(), new int[] {kind}, push, s.total(), b.read("a", a), b.read("b", bb), b.write("y", y));
    }

    /**
     * Sum: pairwise adds. With three or more inputs the running sum is kept in float32 (the output
     * itself for float32, else a scratch buffer) so half types round once, at the end.
     */
    static void sum(VulkanPlanBuilder b) {
        int n = b.spec.inputs().size();
        Shape out = b.outType(0).shape();
        if (n == 1) {
            b.copy(b.in(0), b.out(0), b.outType(0).byteSize());
            return;
        }
        if (n == 2) {
            binaryStep(b, 0, b.in(0), b.inType(0).shape(), b.in(1), b.inType(1).shape(), b.out(0), out);
            return;
        }
        VulkanPlan.Ref acc = b.outType(0).dtype() == DType.F32 ? b.out(0) : b.scratch(DType.F32, out.numel());
        binaryStep(b, 0, b.in(0), b.inType(0).shape(), b.in(1), b.inType(1).shape(), acc, out);
        for (int i = 2; i < n - 1; i++) {
            binaryStep(b, 0, acc, out, b.in(i), b.inType(i).shape(), acc, out);
        }
        binaryStep(b, 0, acc, out, b.in(n - 1), b.inType(n - 1).shape(), b.out(0), out);
    }

    static void batchNorm(VulkanPlanBuilder b, BatchNorm op) {
        Shape x = b.inType(0).shape();
        long n = x.numel();
        long inner = x.product(2, x.rank());
        int[] push = new VulkanPlanBuilder.Push().u(n).u(x.dim(1)).u(Math.max(1, inner)).f(op.epsilon()).words();
        b.dispatch1d("batchnorm", Map.of(), new int[0], push, n, b.read("x", b.in(0)), b.read("scale", b.in(1)),
                b.read("bias", b.in(2)), b.read("mean", b.in(3)), b.read("var", b.in(4)), b.write("y", b.out(0)));
    }

    static void lrn(VulkanPlanBuilder b, Lrn op) {
        Shape x = b.inType(0).shape();
        long n = x.numel();
        int[] push = new VulkanPlanBuilder.Push().u(n).u(x.dim(1)).u(Math.max(1, x.product(2, 4))).u(op.size())
                .f(op.alpha()).f(op.beta()).f(op.bias()).words();
        b.dispatch1d("lrn", Map.of(), new int[0], push, n, b.read("x", b.in(0)), b.write("y", b.out(0)));
    }

    static void cast(VulkanPlanBuilder b) {
        TensorType in = b.inType(0);
        TensorType out = b.outType(0);
        if (in.dtype() == out.dtype()) {
            b.requireStorage(in.dtype(), true);
            b.copy(b.in(0), b.out(0), in.byteSize());
            return;
        }
        long n = in.numel();
        int[] push = new VulkanPlanBuilder.Push().u(n).words();
        b.dispatch1d("cast", Map.of(), new int[0], push, n, b.read("x", b.in(0)), b.write("y", b.out(0)));
    }

    static void quantize(VulkanPlanBuilder b, QuantizeLinear q) {
        TensorType x = b.inType(0);
        long n = x.numel();
        long[] axis = axisGeometry(x.shape(), q.axis(), b.inType(1).numel());
        int[] push = new VulkanPlanBuilder.Push().u(n).u(axis[0]).u(axis[1]).u(axis[2]).words();
        VulkanPlan.Ref zp = b.spec.inputs().size() == 3 ? b.in(2) : null;
        if (zp == null) {
            b.dispatch1d("quantize", Map.of(), new int[0], push, n, b.read("x", b.in(0)), b.read("scale", b.in(1)),
                    b.write("y", b.out(0)));
        } else {
            b.dispatch1d("quantize", Map.of(), new int[0], push, n, b.read("x", b.in(0)), b.read("scale", b.in(1)),
                    b.read("zp", zp), b.write("y", b.out(0)));
        }
    }

    static void dequantize(VulkanPlanBuilder b, DequantizeLinear q) {
        TensorType x = b.inType(0);
        long n = x.numel();
        long[] axis = axisGeometry(x.shape(), q.axis(), b.inType(1).numel());
        int[] push = new VulkanPlanBuilder.Push().u(n).u(axis[0]).u(axis[1]).u(axis[2]).words();
        Map<String, String> none = new HashMap<>();
        if (b.spec.inputs().size() == 3) {
            b.dispatch1d("dequantize", none, new int[0], push, n, b.read("x", b.in(0)), b.read("scale", b.in(1)),
                    b.read("zp", b.in(2)), b.write("y", b.out(0)));
        } else {
            b.dispatch1d("dequantize", none, new int[0], push, n, b.read("x", b.in(0)), b.read("scale", b.in(1)),
                    b.write("y", b.out(0)));
        }
    }

    /** {C, inner, perAxis flag} of per-axis quantization parameters of {@code paramCount} elements. */
    private static long[] axisGeometry(Shape x, int axis, long paramCount) {
        if (paramCount <= 1 || x.rank() == 0) {
            return new long[] {1, 1, 0};
        }
        int a = x.normalizeAxis(axis);
        return new long[] {x.dim(a), Math.max(1, x.product(a + 1, x.rank())), 1};
    }
}
