package dev.accel.conformance.reference;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.List;

/**
 * The float64 reference for every op of {@code dev.accel.hal.op}, in plain Java and independent of
 * every backend. It computes what each op's Javadoc (ONNX) says, in double precision, from input
 * values already in their stored dtype (a half input is the half value widened).
 *
 * <p>Outputs are exact doubles, not rounded to a float output's dtype (the suite's tolerance covers
 * that rounding), except where the op itself defines the stored value: integer outputs are the
 * saturated integers, and Cast returns the value in its target dtype.
 *
 * <p>Stateless and thread-safe.
 */
public final class Reference {
    private Reference() {
    }

    /**
     * Runs {@code spec} on {@code inputs}, one row-major array per input of the spec.
     *
     * @return one row-major array per output of the spec
     * @throws InvalidArgumentException when the inputs do not match the spec's input types
     */
    public static List<double[]> run(OpSpec spec, List<double[]> inputs) {
        List<TensorType> types = spec.inputs();
        if (inputs.size() != types.size()) {
            throw new InvalidArgumentException("reference " + spec + ": got " + inputs.size() + " inputs, the spec has "
                    + types.size());
        }
        for (int i = 0; i < types.size(); i++) {
            if (inputs.get(i).length != types.get(i).numel()) {
                throw new InvalidArgumentException("reference " + spec + ": input " + i + " has " + inputs.get(i).length
                        + " values, " + types.get(i) + " holds " + types.get(i).numel());
            }
        }
        int[][] dims = types.stream().map(t -> t.shape().dims()).toArray(int[][]::new);
        double[][] in = inputs.toArray(double[][]::new);
        List<double[]> out = switch (spec.op()) {
            case MatMul m -> List.of(RefLinalg.matmul(in[0], dims[0], in[1], dims[1]));
            case Gemm g -> List.of(RefLinalg.gemm(g, in, dims));
            case Conv2d c -> List.of(RefLinalg.conv(c, in[0], dims[0], in[1], dims[1], in.length > 2 ? in[2] : null));
            case FusedConv f -> {
                int convInputs = in.length - (f.residual() ? 1 : 0);
                double[] y = RefLinalg.conv(f.conv(), in[0], dims[0], in[1], dims[1], convInputs > 2 ? in[2] : null);
                if (f.residual()) {
                    for (int i = 0; i < y.length; i++) {
                        y[i] += in[convInputs][i];
                    }
                }
                yield List.of(RefElementwise.unary(f.activation(), y));
            }
            case MatMulInteger m -> List.of(RefQuant.matMulInteger(in, dims));
            case QLinearMatMul m -> List.of(RefQuant.qLinearMatMul(in, dims, spec.outputs().get(0).dtype()));
            case ConvInteger c -> List.of(RefQuant.convInteger(c.geometry(), in, dims));
            case QLinearConv c -> List.of(RefQuant.qLinearConv(c.geometry(), in, dims, spec.outputs().get(0).dtype()));
            case QuantizeLinear q -> List.of(RefQuant.quantize(q, in, dims, spec.outputs().get(0).dtype()));
            case DequantizeLinear d -> List.of(RefQuant.dequantize(d, in, dims));
            case Unary u -> List.of(RefElementwise.unary(u, in[0]));
            case Binary b -> List.of(RefElementwise.binary(b.kind(), in[0], dims[0], in[1], dims[1]));
            case Sum s -> List.of(RefElementwise.sum(in, dims));
            case Cast c -> List.of(RefElementwise.cast(in[0], types.get(0).dtype(), c.to()));
            case BatchNorm b -> List.of(RefNorm.batchNorm(b, in, dims[0]));
            case LayerNorm l -> List.of(RefNorm.layerNorm(l, in, dims));
            case Lrn l -> List.of(RefNorm.lrn(l, in[0], dims[0]));
            case Softmax s -> List.of(RefNorm.softmax(s.axis(), in[0], dims[0]));
            case ReduceMean r -> List.of(RefNorm.reduceMean(r.axes(), in[0], dims[0]));
            case Pool2d p -> List.of(RefPool.pool(p, in[0], dims[0]));
            case GlobalAveragePool g -> List.of(RefPool.globalAverage(in[0], dims[0]));
            case Identity i -> List.of(in[0].clone());
            case Reshape r -> List.of(in[0].clone());
            case Transpose t -> List.of(RefLayout.transpose(t.perm(), in[0], dims[0]));
            case Concat c -> List.of(RefLayout.concat(c.axis(), in, dims));
            case Slice s -> List.of(RefLayout.slice(s, in[0], dims[0]));
            case Split s -> RefLayout.split(s, in[0], dims[0]);
            case Pad p -> List.of(RefLayout.pad(p, in[0], dims[0], types.get(0).dtype()));
            case Attention a -> List.of(RefAttention.attention(a, in, dims, types.size() > 3 ? types.get(3).dtype() : null));
        };
        for (int i = 0; i < out.size(); i++) {
            long want = spec.outputs().get(i).numel();
            if (out.get(i).length != want) {
                throw new IllegalStateException("reference " + spec + ": output " + i + " has " + out.get(i).length
                        + " values, the spec says " + want + " (a bug in the reference or in shape inference)");
            }
        }
        return out;
    }
}
