package dev.accel.onnx;

import dev.accel.graph.Graph;
import java.util.List;

/**
 * An imported ONNX model.
 *
 * @param graph the graph, with graph-level operations still unresolved (run
 *     {@link dev.accel.graph.Passes#resolve} before handing it to devices)
 * @param irVersion the file's IR version
 * @param opset the version of the default ONNX operator set it imports
 * @param producer the producer name and version, as the file says
 * @param notes things the importer tolerated and a reader may want to know (inputs that are
 *     also initializers or node outputs, for example)
 */
public record OnnxModel(Graph graph, long irVersion, long opset, String producer, List<String> notes) {
    public OnnxModel {
        notes = List.copyOf(notes);
    }
}
