package dev.accel.graph;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import java.util.List;

/**
 * Rewrites {@code Add(MatMul(A, B), C)} with 2-D A and B and a C that broadcasts to the product's
 * shape into {@code Gemm(A, B, C)} (alpha = beta = 1), when the product is read by the Add alone.
 * The Gemm takes over the Add's output name.
 */
public final class MatMulAddToGemm implements GraphPass {
    @Override
    public String name() {
        return "matmul-add-to-gemm";
    }

    @Override
    public Graph apply(Graph g) {
        GraphBuilder b = null;
        for (Node mm : g.nodes()) {
            if (!(mm.kernel() instanceof MatMul) || !Patterns.allStatic(g, mm.inputs())) {
                continue;
            }
            String prod = mm.outputs().get(0);
            var add = Patterns.soleConsumer(g, prod);
            if (add.isEmpty() || !(add.get().kernel() instanceof Binary bin) || bin.kind() != Binary.Kind.ADD) {
                continue;
            }
            String c = Patterns.other(add.get(), prod);
            if (g.type(mm.inputs().get(0)).shape().rank() != 2 || g.type(mm.inputs().get(1)).shape().rank() != 2
                    || !g.type(c).isStatic()) {
                continue;
            }
            Shape out = g.type(prod).toTensorType().shape();
            Shape cs = g.type(c).toTensorType().shape();
            if (cs.rank() > 2 || !Shape.broadcast(cs, out).equals(out)) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            b.removeNode(add.get().name());
            b.replaceNode(new Node(mm.name(), new KernelOp(Gemm.plain()), List.of(mm.inputs().get(0), mm.inputs().get(1), c),
                    add.get().outputs(), mm.annotations()).annotated("fused.add", add.get().name()));
        }
        return b == null ? g : b.build();
    }
}
