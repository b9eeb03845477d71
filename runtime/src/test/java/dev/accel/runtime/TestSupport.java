package dev.accel.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.npu.NpuDevice;
import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/** Devices, graphs, inputs and comparisons shared by the runtime tests. */
final class TestSupport {
    private TestSupport() {
    }

    static Device cpu() {
        return Backends.find("cpu").orElseThrow().open().get(0);
    }

    /** A second instance of the CPU under the id "cpu:1". */
    static Device cpu1() {
        return new RenamedDevice(cpu(), "cpu:1");
    }

    static NpuDevice npu() {
        return (NpuDevice) Backends.find("npu").orElseThrow().open().get(0);
    }

    /** Random values uniform in [-1, 1). */
    static HostTensor random(TensorType t, long seed) {
        Random r = new Random(seed);
        HostTensor h = HostTensor.allocate(t);
        for (long i = 0; i < t.numel(); i++) {
            h.setDouble(i, r.nextDouble() * 2 - 1);
        }
        return h;
    }

    static Constant weights(Random r, int rows, int cols) {
        double a = Math.sqrt(6.0 / rows);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * a;
        }
        return Constant.ofDoubles(DType.F32, Shape.of(rows, cols), v);
    }

    /**
     * A small MLP with a symbolic batch: MatMul + Add (bias), Relu, MatMul, Sigmoid branch and a
     * residual Add, Gemm, Softmax: ops the NPU runs in float16 and ops it does not.
     */
    static Graph mlp(long seed) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("mlp");
        String x = b.input("x", DType.F32, "N", 64);
        String h = b.op(new MatMul(), x, b.constant("w1", weights(r, 64, 128)));
        h = b.op(new Binary(Binary.Kind.ADD), h, b.constant("b1", Constant.ofDoubles(DType.F32, Shape.of(128), new double[128])));
        h = b.op(Unary.of(Unary.Kind.RELU), h);
        String g = b.op(new MatMul(), h, b.constant("w2", weights(r, 128, 128)));
        String s = b.op(Unary.of(Unary.Kind.SIGMOID), g);
        String m = b.op(new Binary(Binary.Kind.MUL), g, s);
        String res = b.op(new Binary(Binary.Kind.ADD), m, h);
        String y = b.op(Gemm.plain(), res, b.constant("w3", weights(r, 128, 10)));
        b.output(b.op(new Softmax(-1), y), y);
        return b.build();
    }

    /** Max |got - want| over max |want|. */
    static double relativeError(HostTensor want, HostTensor got) {
        assertEquals(want.type(), got.type());
        double diff = 0;
        double scale = 0;
        for (long i = 0; i < want.numel(); i++) {
            diff = Math.max(diff, Math.abs(want.getDouble(i) - got.getDouble(i)));
            scale = Math.max(scale, Math.abs(want.getDouble(i)));
        }
        assertTrue(scale > 0, "the reference is all zeros, so the comparison proves nothing");
        return diff / scale;
    }

    /** The shared ONNX corpus's light models folder; skips the test, saying why, when it is absent. */
    static Path light(String net) {
        Path cwd = Path.of("").toAbsolutePath();
        Path root = cwd.getParent().resolveSibling("shared").resolve("conformance").resolve("onnx").resolve("light");
        Path p = root.resolve("light_" + net + ".onnx");
        Assumptions.assumeTrue(Files.isRegularFile(p), "the light models are absent at " + root
                + " (../shared/conformance/onnx/light from the project root); these tests need them");
        return p;
    }
}
