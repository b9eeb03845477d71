package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.accel.graph.Analysis;
import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Passes;
import dev.accel.hal.Backends;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The five light/ models: load and analyse all; run on the CPU backend; with seeded random weights,
 * compare their logits with ONNX Runtime on the same rewritten model. AlexNet and VGG-19 (60 and 140
 * million weights) join the ONNX Runtime comparison with {@code -Daccel.onnx.heavy=true}.
 */
class LightModelsTest {
    private static final System.Logger LOG = System.getLogger(LightModelsTest.class.getName());

    private static Path model(String net) {
        return Corpus.require().resolve("light").resolve("light_" + net + ".onnx");
    }

    @Test
    void allFiveLoadAndAnalyseToThePublishedSizes() {
        Analysis resnet = ModelAnalyzer.analysis(model("resnet50"), Map.of());
        // Published ResNet-50: 25.6 M parameters, about 4.1 G multiply-accumulates at 224 x 224.
        assertTrue(resnet.total().macs() > 4.0e9 && resnet.total().macs() < 4.2e9, "ResNet-50 MACs " + resnet.total().macs());
        assertTrue(resnet.total().params() > 25.4e6 && resnet.total().params() < 25.7e6, "ResNet-50 params " + resnet.total().params());
        Analysis vgg = ModelAnalyzer.analysis(model("vgg19"), Map.of());
        // Published VGG-19: 143.7 M parameters, 19.6 G MACs; most parameters fully connected, most FLOPs convolution.
        assertEquals(143.67e6, vgg.total().params(), 0.05e6);
        assertEquals(19.63e9, vgg.total().macs(), 0.05e9);
        assertTrue(vgg.fcParams() > 0.8 * vgg.total().params() && vgg.convFlops() > 0.95 * vgg.total().flops());
        Analysis alex = ModelAnalyzer.analysis(model("bvlc_alexnet"), Map.of());
        assertEquals(61.0e6, alex.total().params(), 0.1e6);
        Analysis squeeze = ModelAnalyzer.analysis(model("squeezenet"), Map.of());
        assertEquals(1.24e6, squeeze.total().params(), 0.01e6);
        assertEquals(0, squeeze.fcParams(), "SqueezeNet has no fully connected layer");
        Analysis shuffle = ModelAnalyzer.analysis(model("shufflenet"), Map.of());
        assertTrue(shuffle.total().macs() > 100e6 && shuffle.total().macs() < 150e6, "ShuffleNet MACs " + shuffle.total().macs());
        String report = ModelAnalyzer.report(model("resnet50"));
        assertTrue(report.contains("MACs 4.09 G") && report.contains("total") && report.contains("convolution"), report);
        LOG.log(System.Logger.Level.INFO, () -> "accel analyze light_resnet50.onnx\n" + report);
    }

    private static HostTensor ramp(TensorType t) {
        HostTensor x = HostTensor.allocate(t);
        for (long i = 0; i < t.numel(); i++) {
            x.setDouble(i, (double) i / t.numel());
        }
        return x;
    }

    private static float[] runOurs(Device d, Graph g, HostTensor x) {
        try (GraphExecutor ex = new GraphExecutor(d, g)) {
            Map<String, HostTensor> out = ex.run(Map.of(g.inputs().get(0), x));
            try {
                return out.get(g.outputs().get(0)).toFloatArray();
            } finally {
                out.values().forEach(HostTensor::close);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet", "shufflenet"})
    void constantWeightModelsReproduceTheShippedOutputs(String net) {
        Path p = model(net);
        Graph g = Passes.optimize(OnnxReader.read(p).graph(), Map.of());
        Constant want = OnnxTensors.read(p.resolveSibling("light_" + net + "_output_0.pb"));
        try (Device d = Backends.find("cpu").orElseThrow().open().get(0);
             HostTensor x = ramp(g.type(g.inputs().get(0)).toTensorType())) {
            float[] got = runOurs(d, g, x);
            assertEquals(want.numel(), got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(want.getDouble(i), got[i], 1e-5 + 1e-3 * Math.abs(want.getDouble(i)), net + " output " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet", "shufflenet", "resnet50", "bvlc_alexnet", "vgg19"})
    void randomWeightLogitsMatchOnnxRuntime(String net) throws Exception {
        boolean heavy = net.equals("bvlc_alexnet") || net.equals("vgg19");
        Assumptions.assumeTrue(!heavy || Boolean.getBoolean("accel.onnx.heavy"),
                net + " has over 60 M weights; run with -Daccel.onnx.heavy=true to compare it too");
        Graph g = Passes.resolve(OnnxReader.read(model(net)).graph(), Map.of());
        byte[] bytes = OnnxWriter.toBytes(ModelRewrites.logits(ModelRewrites.randomWeights(g, 42)));
        try (Device d = Backends.find("cpu").orElseThrow().open().get(0)) {
            long t0 = System.nanoTime();
            Graph ours = Passes.optimize(OnnxReader.read(bytes, null, net).graph(), Map.of());
            String in = ours.inputs().get(0);
            TensorType it = ours.type(in).toTensorType();
            float[] got;
            try (HostTensor x = ramp(it)) {
                got = runOurs(d, ours, x);
                long t1 = System.nanoTime();
                float[] want;
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                try (OrtSession.SessionOptions o = new OrtSession.SessionOptions(); OrtSession s = env.createSession(bytes, o);
                     OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
                             Arrays.stream(it.shape().dims()).asLongStream().toArray());
                     OrtSession.Result r = s.run(Map.of(in, t))) {
                    FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    want = new float[fb.remaining()];
                    fb.get(want);
                }
                long t2 = System.nanoTime();
                assertEquals(want.length, got.length);
                double maxDiff = 0;
                double scale = 0;
                for (int i = 0; i < got.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                assertTrue(scale > 0, "the logits are not all zero");
                assertTrue(maxDiff <= 1e-4 * scale, net + ": max |ours - onnxruntime| " + maxDiff + " over logits up to " + scale);
                double diff = maxDiff;
                double sc = scale;
                LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                        "%s vs ONNX Runtime: %d logits, max abs diff %.3g, relative to max |logit| %.3g: %.3g; load+run ours %.0f ms, onnxruntime %.0f ms",
                        net, want.length, diff, sc, diff / sc, (t1 - t0) / 1e6, (t2 - t1) / 1e6));
            }
        }
    }

    @Test
    void theGraphsAreSmallAfterOptimization() {
        Graph g = Passes.optimize(OnnxReader.read(model("resnet50")).graph(), Map.of());
        long bn = g.nodes().stream().filter(n -> n.op().name().equals("BatchNormalization")).count();
        assertEquals(0, bn, "every BatchNormalization folds into its convolution");
        assertEquals(List.of(), g.unresolved());
    }
}
