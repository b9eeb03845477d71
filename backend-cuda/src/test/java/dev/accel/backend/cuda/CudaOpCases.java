package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaCase.Fill.uniform;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;

/** The float op cases, per float dtype: odd sizes, broadcasting, every kind and mode. */
final class CudaOpCases {
    private CudaOpCases() {
    }

    static TensorType t(DType d, int... dims) {
        return TensorType.of(d, dims);
    }

    /** Every float case in dtype {@code d}. */
    static List<CudaCase> floatCases(DType d) {
        List<CudaCase> c = new ArrayList<>();
        String s = "-" + d.displayName();
        for (Unary.Kind k : Unary.Kind.values()) {
            Unary u = k == Unary.Kind.CLIP ? Unary.clip(-0.5f, 1.5f) : k == Unary.Kind.LEAKY_RELU ? Unary.leakyRelu(0.2f) : Unary.of(k);
            double lo = k == Unary.Kind.SQRT ? 0 : -3;
            c.add(CudaCase.of(k + s, u, List.of(t(d, 2, 3, 17)), List.of(uniform(lo, 3)),
                    in -> List.of(map(in.get(0), v -> CudaReference.unary(u, v)))));
        }
        for (Binary.Kind k : Binary.Kind.values()) {
            int[] ad = k == Binary.Kind.PRELU ? new int[] {2, 3, 4} : new int[] {2, 3, 4, 5};
            int[] bd = k == Binary.Kind.PRELU ? new int[] {3, 1} : new int[] {3, 1, 5};
            int[] od = Shape.broadcast(Shape.of(ad), Shape.of(bd)).dims();
            double lo = k == Binary.Kind.POW ? 0.1 : -2;
            c.add(CudaCase.of(k + s, new Binary(k), List.of(t(d, ad), t(d, bd)), List.of(uniform(lo, 2), uniform(lo, 2)),
                    in -> List.of(CudaReference.binary(k, in.get(0), ad, in.get(1), bd, od))));
        }
        c.add(CudaCase.of("Sum" + s, new Sum(), List.of(t(d, 2, 1, 4), t(d, 3, 1), t(d, 2, 3, 4)), List.of(uniform(-2, 2)),
                in -> List.of(CudaReference.sum(in, List.of(new int[] {2, 1, 4}, new int[] {3, 1}, new int[] {2, 3, 4}), new int[] {2, 3, 4}))));
        c.add(CudaCase.of("Softmax-last" + s, new Softmax(-1), List.of(t(d, 3, 5, 37)), List.of(uniform(-4, 4)),
                in -> List.of(CudaReference.softmax(in.get(0), new int[] {3, 5, 37}, 2))));
        c.add(CudaCase.of("Softmax-mid" + s, new Softmax(1), List.of(t(d, 3, 5, 7)), List.of(uniform(-4, 4)),
                in -> List.of(CudaReference.softmax(in.get(0), new int[] {3, 5, 7}, 1))));
        c.add(CudaCase.of("LayerNorm-last" + s, new LayerNorm(-1, 1e-5f), List.of(t(d, 4, 6, 33), t(d, 33), t(d, 33)),
                List.of(uniform(-2, 3), uniform(0.5, 1.5), uniform(-1, 1)), in -> List.of(CudaReference.layerNorm(in.get(0),
                        new int[] {4, 6, 33}, 2, 1e-5, in.get(1), new int[] {33}, in.get(2), new int[] {33}))));
        c.add(CudaCase.of("LayerNorm-bcast" + s, new LayerNorm(1, 1e-5f), List.of(t(d, 2, 3, 4, 5), t(d, 4, 1), t(d, 1, 5)),
                List.of(uniform(-2, 3), uniform(0.5, 1.5), uniform(-1, 1)), in -> List.of(CudaReference.layerNorm(in.get(0),
                        new int[] {2, 3, 4, 5}, 1, 1e-5, in.get(1), new int[] {4, 1}, in.get(2), new int[] {1, 5}))));
        c.add(CudaCase.of("ReduceMean-02" + s, new ReduceMean(List.of(0, -1), true), List.of(t(d, 3, 4, 5)), List.of(uniform(-2, 2)),
                in -> List.of(CudaReference.reduceMean(in.get(0), new int[] {3, 4, 5}, new int[] {0, 2}))));
        c.add(CudaCase.of("ReduceMean-all" + s, new ReduceMean(List.of(), false), List.of(t(d, 3, 4, 5)), List.of(uniform(-2, 2)),
                in -> List.of(CudaReference.reduceMean(in.get(0), new int[] {3, 4, 5}, new int[] {0, 1, 2}))));
        c.add(CudaCase.of("GlobalAveragePool" + s, new GlobalAveragePool(), List.of(t(d, 2, 3, 5, 7)), List.of(uniform(-2, 2)),
                in -> List.of(CudaReference.reduceMean(in.get(0), new int[] {2, 3, 5, 7}, new int[] {2, 3}))));
        c.add(CudaCase.of("BatchNorm" + s, new BatchNorm(1e-5f), List.of(t(d, 2, 3, 4, 5), t(d, 3), t(d, 3), t(d, 3), t(d, 3)),
                List.of(uniform(-2, 2), uniform(0.5, 1.5), uniform(-1, 1), uniform(-1, 1), uniform(0.5, 2)),
                in -> List.of(CudaReference.batchNorm(in.get(0), new int[] {2, 3, 4, 5}, in.get(1), in.get(2), in.get(3), in.get(4), 1e-5))));
        c.add(CudaCase.of("LRN" + s, new Lrn(3, 1e-2f, 0.75f, 1f), List.of(t(d, 2, 7, 3, 3)), List.of(uniform(-2, 2)),
                in -> List.of(CudaReference.lrn(in.get(0), new int[] {2, 7, 3, 3}, 3, 1e-2, 0.75, 1))));
        pools(c, d, s);
        CudaLinalgCases.add(c, d, s);
        return c;
    }

    private static void pools(List<CudaCase> c, DType d, String s) {
        int[] xd = {2, 3, 9, 10};
        List<Pool2d> pools = List.of(Pool2d.max(3, 2, 1), Pool2d.average(3, 2, 1, true), Pool2d.average(3, 2, 1, false),
                new Pool2d(Pool2d.PoolKind.AVERAGE, 3, 2, 2, 3, 0, 1, 2, 1, 1, 2, true, true),
                new Pool2d(Pool2d.PoolKind.MAX, 2, 3, 2, 2, 1, 0, 0, 2, 2, 1, true, false));
        for (int i = 0; i < pools.size(); i++) {
            Pool2d p = pools.get(i);
            List<TensorType> out = p.inferOutputs(List.of(t(d, xd)));
            int oh = out.getFirst().shape().dim(2);
            int ow = out.getFirst().shape().dim(3);
            c.add(CudaCase.of(p.name() + "-" + i + s, p, List.of(t(d, xd)), List.of(uniform(-2, 2)),
                    in -> List.of(CudaReference.pool(p, in.get(0), xd, oh, ow))));
        }
    }

    /** Layout cases for one dtype (any dtype: values are small integers, exact in every type). */
    static List<CudaCase> layoutCases(DType d) {
        List<CudaCase> c = new ArrayList<>();
        String s = "-" + d.displayName();
        CudaCase.Fill f = d == DType.BOOL ? CudaCase.Fill.ints(0, 1) : d == DType.U8 ? CudaCase.Fill.ints(0, 100) : CudaCase.Fill.ints(-100, 100);
        int[] xd = {2, 3, 4, 5};
        int[] perm = {2, 0, 3, 1};
        c.add(CudaCase.of("Transpose" + s, new Transpose(List.of(2, 0, 3, 1)), List.of(t(d, xd)), List.of(f),
                in -> List.of(CudaReference.transpose(in.get(0), xd, perm))));
        c.add(CudaCase.of("Identity" + s, new Identity(), List.of(t(d, 3, 7)), List.of(f), in -> List.of(in.get(0))));
        c.add(CudaCase.of("Reshape" + s, new Reshape(Shape.of(7, 3)), List.of(t(d, 3, 7)), List.of(f), in -> List.of(in.get(0))));
        Slice sl = new Slice(List.of(1, -1, 0), List.of(5, -7, 7), List.of(0, 1, 2), List.of(2, -2, 3));
        int[] sd = {5, 6, 7};
        c.add(CudaCase.of("Slice" + s, sl, List.of(t(d, sd)), List.of(f),
                in -> List.of(CudaReference.slice(in.get(0), sd, sl.resolve(Shape.of(sd))))));
        List<int[]> cd = List.of(new int[] {2, 3, 4}, new int[] {2, 1, 4}, new int[] {2, 5, 4});
        c.add(CudaCase.of("Concat" + s, new Concat(1), List.of(t(d, cd.get(0)), t(d, cd.get(1)), t(d, cd.get(2))), List.of(f),
                in -> List.of(CudaReference.concat(in, cd, 1))));
        int[] pd = {2, 3, 7};
        c.add(CudaCase.of("Split" + s, new Split(-1, List.of(2, 0, 5)), List.of(t(d, pd)), List.of(f),
                in -> CudaReference.split(in.get(0), pd, 2, List.of(2, 0, 5))));
        int[] ad = {2, 3, 4};
        for (Pad.Mode m : Pad.Mode.values()) {
            Pad p = new Pad(m, List.of(0, 1, 2, 1, 0, 3), 7f);
            double fill = d == DType.BOOL ? 1 : 7;
            c.add(CudaCase.of("Pad-" + m + s, p, List.of(t(d, ad)), List.of(f), in -> List.of(CudaReference.pad(in.get(0), ad, p, fill))));
        }
        return c;
    }

    static double[] map(double[] x, java.util.function.DoubleUnaryOperator f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = f.applyAsDouble(x[i]);
        }
        return y;
    }
}
