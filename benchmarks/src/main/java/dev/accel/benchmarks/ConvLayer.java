package dev.accel.benchmarks;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One convolution layer of a published network, batch 1, float32, with bias: input {@code c x h x w},
 * {@code m} output channels, a square {@code k x k} kernel, stride, symmetric padding and groups
 * ({@code groups == c == m} for depthwise).
 *
 * @param name {@code network.layer}, for example {@code resnet50.res4.3x3}
 * @param quick whether {@code --quick} runs it
 */
record ConvLayer(String name, int c, int h, int w, int m, int k, int stride, int pad, int groups, boolean quick) {

    /** The layers the suite measures: ResNet-50 (v1.5), MobileNetV2 and SqueezeNet 1.1, at 224 x 224. */
    static final List<ConvLayer> ALL = List.of(
            new ConvLayer("resnet50.conv1.7x7s2", 3, 224, 224, 64, 7, 2, 3, 1, true),
            new ConvLayer("resnet50.res2.1x1.64-64", 64, 56, 56, 64, 1, 1, 0, 1, false),
            new ConvLayer("resnet50.res2.3x3.64", 64, 56, 56, 64, 3, 1, 1, 1, true),
            new ConvLayer("resnet50.res2.1x1.64-256", 64, 56, 56, 256, 1, 1, 0, 1, false),
            new ConvLayer("resnet50.res2.1x1.256-64", 256, 56, 56, 64, 1, 1, 0, 1, true),
            new ConvLayer("resnet50.res3.3x3s2.128", 128, 56, 56, 128, 3, 2, 1, 1, false),
            new ConvLayer("resnet50.res3.3x3.128", 128, 28, 28, 128, 3, 1, 1, 1, false),
            new ConvLayer("resnet50.res3.1x1.512-128", 512, 28, 28, 128, 1, 1, 0, 1, false),
            new ConvLayer("resnet50.res4.3x3.256", 256, 14, 14, 256, 3, 1, 1, 1, true),
            new ConvLayer("resnet50.res4.1x1.1024-256", 1024, 14, 14, 256, 1, 1, 0, 1, false),
            new ConvLayer("resnet50.res5.3x3.512", 512, 7, 7, 512, 3, 1, 1, 1, true),
            new ConvLayer("resnet50.res5.1x1.2048-512", 2048, 7, 7, 512, 1, 1, 0, 1, false),
            new ConvLayer("resnet50.res5.1x1.512-2048", 512, 7, 7, 2048, 1, 1, 0, 1, false),
            new ConvLayer("mobilenetv2.conv0.3x3s2", 3, 224, 224, 32, 3, 2, 1, 1, false),
            new ConvLayer("mobilenetv2.dw3x3.32x112", 32, 112, 112, 32, 3, 1, 1, 32, true),
            new ConvLayer("mobilenetv2.1x1.32-16x112", 32, 112, 112, 16, 1, 1, 0, 1, false),
            new ConvLayer("mobilenetv2.1x1.16-96x112", 16, 112, 112, 96, 1, 1, 0, 1, false),
            new ConvLayer("mobilenetv2.dw3x3s2.96x112", 96, 112, 112, 96, 3, 2, 1, 96, true),
            new ConvLayer("mobilenetv2.dw3x3.144x56", 144, 56, 56, 144, 3, 1, 1, 144, false),
            new ConvLayer("mobilenetv2.1x1.144-24x56", 144, 56, 56, 24, 1, 1, 0, 1, true),
            new ConvLayer("mobilenetv2.dw3x3s2.144x56", 144, 56, 56, 144, 3, 2, 1, 144, false),
            new ConvLayer("mobilenetv2.dw3x3.576x14", 576, 14, 14, 576, 3, 1, 1, 576, false),
            new ConvLayer("mobilenetv2.1x1.576-96x14", 576, 14, 14, 96, 1, 1, 0, 1, false),
            new ConvLayer("mobilenetv2.dw3x3s2.576x14", 576, 14, 14, 576, 3, 2, 1, 576, false),
            new ConvLayer("mobilenetv2.1x1.320-1280x7", 320, 7, 7, 1280, 1, 1, 0, 1, false),
            new ConvLayer("squeezenet.conv1.3x3s2", 3, 224, 224, 64, 3, 2, 0, 1, false),
            new ConvLayer("squeezenet.fire2.1x1.64-16", 64, 55, 55, 16, 1, 1, 0, 1, false),
            new ConvLayer("squeezenet.fire2.1x1.16-64", 16, 55, 55, 64, 1, 1, 0, 1, false),
            new ConvLayer("squeezenet.fire2.3x3.16-64", 16, 55, 55, 64, 3, 1, 1, 1, true),
            new ConvLayer("squeezenet.fire9.1x1.512-64", 512, 13, 13, 64, 1, 1, 0, 1, false),
            new ConvLayer("squeezenet.fire9.3x3.64-256", 64, 13, 13, 256, 3, 1, 1, 1, false),
            new ConvLayer("squeezenet.conv10.1x1.512-1000", 512, 13, 13, 1000, 1, 1, 0, 1, true));

    private static final Map<String, ConvLayer> BY_NAME = new LinkedHashMap<>();

    static {
        for (ConvLayer l : ALL) {
            BY_NAME.put(l.name(), l);
        }
    }

    /** The layer of that name. */
    static ConvLayer named(String name) {
        ConvLayer l = BY_NAME.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no conv layer named '" + name + "'; known: " + BY_NAME.keySet());
        }
        return l;
    }

    int oh() {
        return (h + 2 * pad - k) / stride + 1;
    }

    int ow() {
        return (w + 2 * pad - k) / stride + 1;
    }

    /** Floating-point operations: 2 per multiply-add, bias not counted. */
    double flops() {
        return 2.0 * m * oh() * ow() * (c / groups) * k * k;
    }

    long[] xShape() {
        return new long[] {1, c, h, w};
    }

    long[] wShape() {
        return new long[] {m, c / groups, k, k};
    }

    long[] yShape() {
        return new long[] {1, m, oh(), ow()};
    }

    /** The accel op spec: X, W and bias B. */
    OpSpec spec() {
        return OpSpec.of(Conv2d.of(stride, pad, groups), TensorType.of(DType.F32, 1, c, h, w),
                TensorType.of(DType.F32, m, c / groups, k, k), TensorType.of(DType.F32, m));
    }

    /** The ONNX model: X an input, W and B initializers holding {@code weights} and {@code bias}. */
    byte[] onnx(float[] weights, float[] bias) {
        return new OnnxModel("Conv")
                .input("X", OnnxModel.FLOAT, xShape())
                .initializer("W", OnnxModel.FLOAT, OnnxModel.raw(weights), wShape())
                .initializer("B", OnnxModel.FLOAT, OnnxModel.raw(bias), m)
                .output("Y", OnnxModel.FLOAT, yShape())
                .attribute("kernel_shape", k, k)
                .attribute("strides", stride, stride)
                .attribute("pads", pad, pad, pad, pad)
                .attribute("dilations", 1, 1)
                .attribute("group", (long) groups)
                .toBytes();
    }
}
