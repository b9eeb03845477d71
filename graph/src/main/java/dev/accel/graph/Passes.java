package dev.accel.graph;

import java.util.Map;

/**
 * The standard pass pipelines. {@link #resolve} makes a graph runnable (every node a kernel with
 * static types, when the model allows it); {@link #optimize} adds the fusions.
 */
public final class Passes {
    private static final System.Logger LOG = System.getLogger(Passes.class.getName());

    private Passes() {
    }

    /** Applies passes in order. */
    public static Graph run(Graph g, GraphPass... passes) {
        for (GraphPass p : passes) {
            int before = g.nodes().size();
            g = p.apply(g);
            int after = g.nodes().size();
            LOG.log(System.Logger.Level.DEBUG, () -> p.name() + ": " + before + " -> " + after + " nodes");
        }
        return g;
    }

    /**
     * Binds the symbols, folds constants, lowers graph-level operations to kernels, folds again,
     * and removes identities and dead nodes. The result is {@linkplain Graph#isResolved()
     * resolved} unless the model computes something outside the op set ({@link Graph#unresolved()}
     * says what).
     */
    public static Graph resolve(Graph g, Map<String, Integer> bindings) {
        Graph b = bindings.isEmpty() ? g : g.bind(bindings);
        return run(b, new ConstantFolding(), new Lowering(), new ConstantFolding(), new DeadNodeElimination(),
                new IdentityElimination(), new DeadNodeElimination());
    }

    /** {@link #resolve} followed by BatchNorm folding, MatMul + Add into Gemm and Conv / Gemm epilogue fusion. */
    public static Graph optimize(Graph g, Map<String, Integer> bindings) {
        return run(resolve(g, bindings), new BatchNormFolding(), new MatMulAddToGemm(), new ConvGemmFusion(),
                new IdentityElimination(), new DeadNodeElimination());
    }
}
