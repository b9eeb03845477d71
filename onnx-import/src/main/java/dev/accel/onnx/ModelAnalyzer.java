package dev.accel.onnx;

import dev.accel.graph.Analysis;
import dev.accel.graph.Graph;
import dev.accel.graph.Passes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code accel analyze MODEL.onnx} prints, as a library call: the model is imported,
 * symbolic dimensions are bound (to 1 unless given), the graph is resolved and optimized as it
 * would be deployed (BatchNorm folded into convolutions, biases fused), and analysed per layer.
 */
public final class ModelAnalyzer {
    private ModelAnalyzer() {
    }

    /** The analysis of a model file, symbols bound as given and the rest to 1. */
    public static Analysis analysis(Path model, Map<String, Integer> bindings) {
        return Analysis.of(prepare(OnnxReader.read(model).graph(), bindings));
    }

    /** The per-layer table and totals of a model file, symbols bound to 1. */
    public static String report(Path model) {
        return report(model, Map.of());
    }

    /** The per-layer table and totals of a model file, with a header naming the file, its IR version, opset and bindings. */
    public static String report(Path model, Map<String, Integer> bindings) {
        OnnxModel m = OnnxReader.read(model);
        Map<String, Integer> b = bindingsFor(m.graph(), bindings);
        Graph g = prepare(m.graph(), b);
        String header = "file " + model.getFileName() + ", IR " + m.irVersion() + ", opset " + m.opset()
                + (m.producer().isEmpty() ? "" : ", producer " + m.producer()) + (b.isEmpty() ? "" : ", bound " + b) + "\n";
        return header + Analysis.of(g).table();
    }

    private static Graph prepare(Graph g, Map<String, Integer> bindings) {
        Graph r = Passes.optimize(g, bindingsFor(g, bindings));
        if (!r.isResolved()) {
            throw new dev.accel.hal.InvalidArgumentException("model graph '" + g.name() + "' does not resolve to kernels: " + r.unresolved());
        }
        return r;
    }

    private static Map<String, Integer> bindingsFor(Graph g, Map<String, Integer> given) {
        Map<String, Integer> b = new LinkedHashMap<>();
        for (String s : g.symbols()) {
            b.put(s, given.getOrDefault(s, 1));
        }
        return b;
    }
}
