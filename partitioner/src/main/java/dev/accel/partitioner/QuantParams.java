package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.graph.DeadNodeElimination;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.QuantizeLinear;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per-tensor affine quantization parameters of activations, by value name: {@code q =
 * saturate(round(x / scale) + zeroPoint)}. Weights need none here: the partitioner quantizes
 * constant weights itself, per output channel, symmetric int8. Immutable.
 */
public final class QuantParams {
    /**
     * The parameters of one tensor.
     *
     * @param scale the step, > 0
     * @param zeroPoint the integer that 0.0 maps to, in the range of {@code dtype}
     * @param dtype U8 or I8
     */
    public record Entry(float scale, int zeroPoint, DType dtype) {
        public Entry {
            if (!(scale > 0) || Float.isInfinite(scale)) {
                throw new InvalidArgumentException("quantization scale is " + scale + ", must be finite and > 0");
            }
            if (dtype != DType.U8 && dtype != DType.I8) {
                throw new InvalidArgumentException("quantized dtype is " + dtype + ", must be uint8 or int8");
            }
            if (zeroPoint < dtype.minValue() || zeroPoint > dtype.maxValue()) {
                throw new InvalidArgumentException("zero point " + zeroPoint + " is outside " + dtype.displayName());
            }
        }
    }

    private final Map<String, Entry> entries;

    private QuantParams(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** Parameters given directly. */
    public static QuantParams of(Map<String, Entry> entries) {
        return new QuantParams(entries);
    }

    /**
     * Asymmetric uint8 parameters covering each tensor's observed range (widened to include 0, as
     * affine quantization needs 0 exactly representable), from a calibration run.
     *
     * @param ranges value name to {@code {min, max}} observed over the calibration set
     */
    public static QuantParams calibrate(Map<String, double[]> ranges) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (var e : ranges.entrySet()) {
            double lo = Math.min(0, e.getValue()[0]);
            double hi = Math.max(0, e.getValue()[1]);
            double scale = (hi - lo) / 255.0;
            if (!(scale > 0)) {
                scale = 1.0 / 255;
            }
            int zp = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
            out.put(e.getKey(), new Entry((float) scale, zp, DType.U8));
        }
        return new QuantParams(out);
    }

    /**
     * The activation parameters of a QDQ model: for each QuantizeLinear node with constant
     * per-tensor scale and zero point, the parameters of its input tensor.
     */
    public static QuantParams fromQdq(Graph g) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.kernel() instanceof QuantizeLinear) || n.inputs().size() < 2) {
                continue;
            }
            var scale = g.constant(n.inputs().get(1));
            var zp = n.inputs().size() > 2 ? g.constant(n.inputs().get(2)) : null;
            if (scale == null || scale.numel() != 1 || (n.inputs().size() > 2 && zp == null)) {
                continue;
            }
            DType d = zp == null ? DType.U8 : zp.type().dtype();
            out.putIfAbsent(n.inputs().get(0), new Entry((float) scale.getDouble(0), zp == null ? 0 : (int) zp.getDouble(0), d));
        }
        return new QuantParams(out);
    }

    /**
     * The float graph a QDQ model describes, to place with {@link #fromQdq} of the QDQ model: every
     * DequantizeLinear of constants becomes the float constant it computes (the weights), and every
     * QuantizeLinear whose readers are all DequantizeLinear nodes with the same parameters is removed
     * with them, its readers reading its input instead. Where the pair feeds a graph output, it stays.
     */
    public static Graph withoutQdq(Graph g) {
        GraphBuilder b = g.toBuilder();
        java.util.Set<String> outputs = java.util.Set.copyOf(g.outputs());
        for (Node n : g.nodes()) {
            if (n.kernel() instanceof DequantizeLinear dq && n.inputs().stream().allMatch(i -> i.isEmpty() || g.constant(i) != null)) {
                b.removeNode(n.name());
                b.constant(n.outputs().get(0), dequantized(g, n, dq.axis()));
            }
        }
        for (Node n : g.nodes()) {
            if (!(n.kernel() instanceof QuantizeLinear) || g.constant(n.inputs().get(0)) != null) {
                continue;
            }
            List<Node> readers = g.consumers(n.outputs().get(0));
            boolean pairs = !readers.isEmpty() && !outputs.contains(n.outputs().get(0));
            for (Node r : readers) {
                pairs &= r.kernel() instanceof DequantizeLinear && !outputs.contains(r.outputs().get(0))
                        && sameParameters(g, n.inputs(), r.inputs());
            }
            if (!pairs) {
                continue;
            }
            for (Node r : readers) {
                b.removeNode(r.name());
                b.replaceUses(r.outputs().get(0), n.inputs().get(0));
            }
            b.removeNode(n.name());
        }
        return new DeadNodeElimination().apply(b.build());
    }

    private static boolean sameParameters(Graph g, List<String> q, List<String> dq) {
        for (int i = 1; i < 3; i++) {
            Constant a = i < q.size() ? g.constant(q.get(i)) : null;
            Constant c = i < dq.size() ? g.constant(dq.get(i)) : null;
            if (a == null || c == null || a.numel() != c.numel()) {
                return false;
            }
            for (long k = 0; k < a.numel(); k++) {
                if (a.getDouble(k) != c.getDouble(k)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Constant dequantized(Graph g, Node n, int axis) {
        Constant x = g.constant(n.inputs().get(0));
        Constant scale = g.constant(n.inputs().get(1));
        Constant zp = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? g.constant(n.inputs().get(2)) : null;
        dev.accel.hal.Shape s = x.type().shape();
        int ax = s.rank() == 0 ? 0 : s.normalizeAxis(axis);
        long stride = s.rank() == 0 ? 1 : s.product(ax + 1, s.rank());
        int channels = s.rank() == 0 ? 1 : s.dim(ax);
        return Constant.build(x.type().withDType(DType.F32), t -> {
            for (long i = 0; i < x.numel(); i++) {
                int c = scale.numel() == 1 ? 0 : (int) ((i / stride) % channels);
                double z = zp == null ? 0 : zp.getDouble(zp.numel() == 1 ? 0 : c);
                t.setDouble(i, (x.getDouble(i) - z) * scale.getDouble(c));
            }
        });
    }

    /** The parameters of a value, if known. */
    public Optional<Entry> get(String value) {
        return Optional.ofNullable(entries.get(value));
    }

    /** Every entry, in insertion order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** How many tensors have parameters. */
    public int size() {
        return entries.size();
    }
}
