package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;

/**
 * Float weights quantized per output channel, symmetric int8: channel {@code c}'s scale is
 * {@code max|w| / 127} (1 for an all-zero channel), its zero point 0, and each weight
 * {@code clamp(round_half_even(w / scale), -127, 127)}. The weights are read and quantized on first
 * use (when the plan's graph is built), not when the node is claimed. Thread-safe.
 */
final class Weights {
    private final Constant source;
    private final int channels;
    private final int length;
    /** True when the source holds channel c's j-th weight at {@code c * length + j}, else at {@code j * channels + c}. */
    private final boolean sourceRows;
    /** True when the quantized tensor holds channel c's j-th weight at {@code c * length + j}. */
    private final boolean rows;
    private final Shape qShape;
    private final float alpha;
    private float[] scales;

    private Weights(Constant source, int channels, int length, boolean sourceRows, boolean rows, Shape qShape, float alpha) {
        this.source = source;
        this.channels = channels;
        this.length = length;
        this.sourceRows = sourceRows;
        this.rows = rows;
        this.qShape = qShape;
        this.alpha = alpha;
    }

    /** Conv weights {@code [M, C/g, kH, kW]}: channel = first axis. */
    static Weights ofRows(Constant w, int m, int[] dims) {
        return new Weights(w, m, (int) (w.numel() / m), true, true, Shape.of(dims), 1f);
    }

    /**
     * Matrix weights as a {@code [K, N]} B (channel = column), read from {@code w} as stored:
     * {@code [N, K]} when {@code transposed}, else {@code [K, N]}; every weight times {@code alpha}.
     */
    static Weights ofColumns(Constant w, int k, int n, boolean transposed, float alpha) {
        return new Weights(w, n, k, transposed, false, Shape.of(k, n), alpha);
    }

    /** The same quantized weights laid out as 1x1 convolution weights {@code [N, K, 1, 1]}. */
    Weights asConvRows() {
        return new Weights(source, channels, length, sourceRows, true, Shape.of(channels, length, 1, 1), alpha);
    }

    int channels() {
        return channels;
    }

    TensorType qType() {
        return new TensorType(DType.I8, qShape);
    }

    private double at(int c, int j) {
        return alpha * source.getDouble(sourceRows ? (long) c * length + j : (long) j * channels + c);
    }

    private synchronized float[] scaleArray() {
        if (scales == null) {
            float[] s = new float[channels];
            for (int c = 0; c < channels; c++) {
                double max = 0;
                for (int j = 0; j < length; j++) {
                    max = Math.max(max, Math.abs(at(c, j)));
                }
                s[c] = max > 0 ? (float) (max / 127.0) : 1f;
            }
            scales = s;
        }
        return scales;
    }

    /** The quantized weights. */
    Constant q() {
        float[] s = scaleArray();
        return Constant.build(qType(), t -> {
            for (int c = 0; c < channels; c++) {
                for (int j = 0; j < length; j++) {
                    double q = Math.rint(at(c, j) / s[c]);
                    t.setDouble(rows ? (long) c * length + j : (long) j * channels + c, Math.max(-127, Math.min(127, q)));
                }
            }
        });
    }

    /** The per-channel scales, float32 {@code [channels]}. */
    Constant scales() {
        return Constant.ofFloats(Shape.of(channels), scaleArray());
    }

    /** {@code xScale * scale[c]}: the value of one unit of the int32 accumulator, per channel. */
    Constant accumulatorScales(float xScale) {
        float[] s = scaleArray();
        float[] a = new float[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = xScale * s[c];
        }
        return Constant.ofFloats(Shape.of(channels), a);
    }

    /** A float bias in int32 units of {@code xScale * scale[c]}, rounded half to even and saturated. */
    Constant int32Bias(float[] bias, float xScale) {
        float[] s = scaleArray();
        double[] q = new double[channels];
        for (int c = 0; c < channels; c++) {
            double v = Math.rint(bias[c] / ((double) xScale * s[c]));
            q[c] = Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
        }
        return Constant.ofDoubles(DType.I32, Shape.of(channels), q);
    }
}
