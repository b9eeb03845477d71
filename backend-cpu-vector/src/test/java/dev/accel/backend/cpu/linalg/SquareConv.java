package dev.accel.backend.cpu.linalg;

import dev.accel.hal.op.OpSpec;

import dev.accel.hal.TensorType;

import dev.accel.hal.DType;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe's convolution: one image of {@code c} square {@code h x h} planes, {@code m} output
 * channels, a square {@code k x k} kernel, stride {@code s}, padding {@code p} on every side.
 */
record SquareConv(int c, int h, int m, int k, int s, int p) {

    /** The convolutions given as groups of six arguments, {@code c h m k stride pad}. */
    static List<SquareConv> parse(String[] args) {
        List<SquareConv> list = new ArrayList<>();
        for (int i = 0; i + 5 < args.length; i += 6) {
            list.add(new SquareConv(Integer.parseInt(args[i]), Integer.parseInt(args[i + 1]), Integer.parseInt(args[i + 2]),
                    Integer.parseInt(args[i + 3]), Integer.parseInt(args[i + 4]), Integer.parseInt(args[i + 5])));
        }
        return list;
    }

    int oh() {
        return (h + 2 * p - k) / s + 1;
    }

    Conv2d attributes() {
        return Conv2d.of(s, p, 1);
    }

    ConvGeom geom() {
        return ConvGeom.of(attributes(), Shape.of(1, c, h, h), Shape.of(m, c, k, k), Shape.of(1, m, oh(), oh()));
    }

    /** The Conv's spec over one image: X, W and a bias. */
    OpSpec spec() {
        return OpSpec.of(attributes(), TensorType.of(DType.F32, 1, c, h, h), TensorType.of(DType.F32, m, c, k, k),
                TensorType.of(DType.F32, m));
    }

    double flops() {
        return 2.0 * m * c * k * k * oh() * oh();
    }
}
