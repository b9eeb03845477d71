package dev.accel.onnx;

import dev.accel.hal.ModelFormatException;
import java.util.List;

/**
 * A well-formed ONNX model that uses what accel does not run: operators outside the op set,
 * another operator domain, sequence or string types, element types accel lacks. Lists every such
 * item at once, each with its node name, op type and opset, so that one attempt shows all that is
 * missing.
 */
public final class UnsupportedModelException extends ModelFormatException {
    private final transient List<Item> items;

    /**
     * One unsupported element of a model.
     *
     * @param node the node's name ("" for model-level items such as a graph input)
     * @param opType the operator ("" for non-operator items)
     * @param domain the operator's domain ("" for the default ONNX domain)
     * @param opset the opset version the model imports for that domain (0 if none)
     * @param reason why accel cannot run it
     */
    public record Item(String node, String opType, String domain, long opset, String reason) {
        @Override
        public String toString() {
            String where = opType.isEmpty() ? node : opType + (domain.isEmpty() ? "" : " (domain " + domain + ")")
                    + " node '" + node + "' at opset " + opset;
            return where + ": " + reason;
        }
    }

    public UnsupportedModelException(String model, List<Item> items) {
        super("model " + model + " uses " + items.size() + " thing(s) accel does not run: " + summary(items));
        this.items = List.copyOf(items);
    }

    /** Every unsupported item, in model order. */
    public List<Item> items() {
        return items;
    }

    /** The first reason in short form, for "not applicable: ..." reports. */
    public String shortReason() {
        Item i = items.get(0);
        return (i.opType().isEmpty() ? "" : i.opType() + ": ") + i.reason();
    }

    private static String summary(List<Item> items) {
        StringBuilder sb = new StringBuilder();
        for (Item i : items) {
            sb.append(sb.isEmpty() ? "" : "; ").append(i);
        }
        return sb.toString();
    }
}
