package dev.accel.onnx;

import dev.accel.hal.ModelFormatException;
import dev.accel.onnx.proto.Onnx.AttributeProto;
import dev.accel.onnx.proto.Onnx.NodeProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A node's attributes by name, with the defaults the caller gives (per opset). */
final class Attrs {
    private final Map<String, AttributeProto> byName = new HashMap<>();
    private final String where;

    Attrs(NodeProto n, String where) {
        this.where = where;
        for (AttributeProto a : n.getAttributeList()) {
            if (!a.getRefAttrName().isEmpty()) {
                throw new ModelFormatException(where + ": attribute '" + a.getName() + "' refers to a function attribute; only model graphs are read");
            }
            byName.put(a.getName(), a);
        }
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long getInt(String name, long def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getI();
    }

    int getIntAsInt(String name, int def) {
        long v = getInt(name, def);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new ModelFormatException(where + ": attribute " + name + " = " + v + " does not fit an int");
        }
        return (int) v;
    }

    float getFloat(String name, float def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getF();
    }

    String getString(String name, String def) {
        AttributeProto a = byName.get(name);
        return a == null ? def : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** The ints of a list attribute, or null when absent. */
    long[] getInts(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            return null;
        }
        if (a.getIntsCount() > (1 << 16)) {
            throw new ModelFormatException(where + ": attribute " + name + " has " + a.getIntsCount() + " entries");
        }
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** As {@link #getInts}, as ints. */
    int[] getIntsAsInts(String name) {
        long[] v = getInts(name);
        if (v == null) {
            return null;
        }
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] > Integer.MAX_VALUE || v[i] < Integer.MIN_VALUE) {
                throw new ModelFormatException(where + ": attribute " + name + " " + List.of(v) + " has an entry that does not fit an int");
            }
            r[i] = (int) v[i];
        }
        return r;
    }

    float[] getFloats(String name) {
        AttributeProto a = byName.get(name);
        if (a == null) {
            return null;
        }
        float[] r = new float[a.getFloatsCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.getFloats(i);
        }
        return r;
    }

    TensorProto getTensor(String name) {
        AttributeProto a = byName.get(name);
        return a == null || !a.hasT() ? null : a.getT();
    }

    AttributeProto raw(String name) {
        return byName.get(name);
    }
}
