package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.GraphOp;
import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphExecutorTest {
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2, 3);
        String k = b.constant("k", Constant.ofFloats(Shape.of(3), 10, 20, 30));
        String s = b.op(new Binary(Binary.Kind.ADD), x, k);
        String t = b.op(new Transpose(List.of(1, 0)), s);
        String r = b.op(Unary.of(Unary.Kind.RELU), t);
        b.output(r, x, k);
        return b.build();
    }

    @Test
    void runsNodeByNodeAndReturnsEveryOutputKind() {
        try (RefDevice d = new RefDevice(); GraphExecutor ex = new GraphExecutor(d, graph());
             HostTensor x = HostTensor.fromFloats(DType.F32, Shape.of(2, 3), -100, 1, 2, 3, -40, 5)) {
            for (int run = 0; run < 2; run++) {
                Map<String, HostTensor> out = ex.run(Map.of("x", x));
                List<String> names = List.copyOf(out.keySet());
                assertEquals(3, names.size());
                assertArrayEquals(new float[] {0, 13, 21, 0, 32, 35}, out.get(names.get(0)).toFloatArray());
                assertArrayEquals(x.toFloatArray(), out.get("x").toFloatArray(), "a graph input may be an output");
                assertArrayEquals(new float[] {10, 20, 30}, out.get("k").toFloatArray(), "so may a constant");
                out.values().forEach(HostTensor::close);
            }
            assertEquals(6, d.dispatches(), "three kernels per run");
        }
    }

    @Test
    void refusesUnresolvedGraphsAndWrongInputs() {
        GraphBuilder b = new GraphBuilder("u");
        String x = b.input("x", DType.F32, 2, 3);
        b.output(b.op(GraphOp.ShapeOf.all(), x));
        try (RefDevice d = new RefDevice()) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> new GraphExecutor(d, b.build()));
            assertTrue(e.getMessage().contains("not resolved"), e.getMessage());
            try (GraphExecutor ex = new GraphExecutor(d, graph()); HostTensor wrong = HostTensor.allocate(DType.F32, 3, 2)) {
                e = assertThrows(InvalidArgumentException.class, () -> ex.run(Map.of()));
                assertTrue(e.getMessage().contains("'x' (float32[2, 3]) is missing"), e.getMessage());
                e = assertThrows(InvalidArgumentException.class, () -> ex.run(Map.of("x", wrong)));
                assertTrue(e.getMessage().contains("is float32[3, 2], requires float32[2, 3]"), e.getMessage());
            }
        }
    }
}
