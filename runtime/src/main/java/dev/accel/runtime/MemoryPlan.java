package dev.accel.runtime;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.TensorType;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Step;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each tensor of a plan lives on each device during a run: tensors whose lifetimes do not
 * overlap share a buffer (a slot) when their byte sizes are equal, since a buffer can be viewed as
 * any type of its size ({@link dev.accel.hal.DeviceBuffer#view}). Reshape and Identity outputs
 * are views of their input's slot. Lifetimes run in the plan's step order, from the step that
 * writes a tensor to the last step that reads it (a kernel, a read to the host, or a direct copy
 * to another device, which reads the source's buffer and writes the destination's whichever
 * device's queue runs it). Lifetimes only say which tensors may share a buffer; the runtime still
 * orders each reuse after the work of every queue that last used the buffer, another device's
 * queue included.
 *
 * <p>Weights are not here: they are uploaded once per session and shared by all runs. Immutable.
 */
public final class MemoryPlan {
    /**
     * The figures of one device.
     *
     * @param device the device id
     * @param slots buffers one run allocates
     * @param plannedBytes bytes of those buffers
     * @param perTensorBytes bytes one buffer per tensor would take
     * @param peakLiveBytes the most bytes of tensors alive at once (a lower bound for any plan of slots)
     * @param weightBytes bytes of the weights uploaded to the device, shared by all runs
     */
    public record DeviceMemory(String device, int slots, long plannedBytes, long perTensorBytes, long peakLiveBytes,
                               long weightBytes) {
    }

    private final Map<String, List<TensorType>> slotTypes;
    private final Map<String, Map<String, Integer>> slotOf;
    private final Map<String, DeviceMemory> report;

    private MemoryPlan(Map<String, List<TensorType>> slotTypes, Map<String, Map<String, Integer>> slotOf,
                       Map<String, DeviceMemory> report) {
        this.slotTypes = slotTypes;
        this.slotOf = slotOf;
        this.report = report;
    }

    /** Plans the slots of every device of {@code plan}. */
    public static MemoryPlan of(Plan plan) {
        Graph g = plan.graph();
        List<Step> steps = plan.steps();
        // Per device: storage (the root value a view chain starts from) of each value, definition and last use.
        Map<String, Map<String, String>> storageOf = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> lastUse = new HashMap<>();
        Map<String, List<List<String>>> definedAt = new HashMap<>();
        Map<String, Long> weights = new LinkedHashMap<>();
        java.util.Set<String> constantViews = new java.util.HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind() == Step.Kind.COPY) {
                // A direct copy reads the value on its source and defines it on its destination, whichever queue runs it:
                // the source's buffer lives until the copy, the destination's from it.
                String from = s.source();
                String to = s.destination();
                use(storageOf.computeIfAbsent(from, k -> new HashMap<>()), lastUse.computeIfAbsent(from, k -> new HashMap<>()),
                        s.value(), i, from);
                define(storageOf.computeIfAbsent(to, k -> new HashMap<>()), lastUse.computeIfAbsent(to, k -> new HashMap<>()),
                        padded(definedAt, to, i), s.value(), i);
                continue;
            }
            String d = s.device();
            Map<String, String> storage = storageOf.computeIfAbsent(d, k -> new HashMap<>());
            Map<String, Integer> last = lastUse.computeIfAbsent(d, k -> new HashMap<>());
            List<List<String>> defs = padded(definedAt, d, i);
            switch (s.kind()) {
                case KERNEL -> {
                    Node n = g.node(s.node()).orElseThrow();
                    boolean view = Executable.isView(n);
                    if (view && isConstant(g, constantViews, n.inputs().get(0))) {
                        // A view of a weight: no run memory.
                        constantViews.addAll(n.outputs());
                        continue;
                    }
                    for (String in : n.inputs()) {
                        if (in.isEmpty() || isConstant(g, constantViews, in)) {
                            continue;
                        }
                        use(storage, last, in, i, d);
                    }
                    for (String out : n.outputs()) {
                        if (view) {
                            String root = storage.get(n.inputs().get(0));
                            storage.put(out, root);
                            last.merge(root, i, Math::max);
                        } else {
                            define(storage, last, defs, out, i);
                        }
                    }
                }
                case READ -> use(storage, last, s.value(), i, d);
                case WRITE -> define(storage, last, defs, s.value(), i);
                default -> throw new IllegalStateException(s.kind().toString());
            }
        }
        for (Node n : g.nodes()) {
            String d = plan.deviceOf(n.name());
            for (String in : n.inputs()) {
                if (!in.isEmpty() && g.constant(in) != null && !Executable.isView(n)) {
                    weights.merge(d + "\u0000" + in, g.type(in).toTensorType().byteSize(), (a, b) -> a);
                }
            }
        }
        Map<String, List<TensorType>> slotTypes = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> slotOf = new LinkedHashMap<>();
        Map<String, DeviceMemory> report = new LinkedHashMap<>();
        for (String d : storageOf.keySet()) {
            Map<String, Integer> last = lastUse.get(d);
            List<List<String>> defs = definedAt.get(d);
            List<TensorType> types = new ArrayList<>();
            Map<String, Integer> rootSlot = new HashMap<>();
            Map<Long, ArrayDeque<Integer>> free = new HashMap<>();
            // Release order: by last use.
            Map<Integer, List<String>> endsAt = new HashMap<>();
            for (var e : last.entrySet()) {
                endsAt.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
            }
            long perTensor = 0;
            long live = 0;
            long peak = 0;
            for (int i = 0; i < defs.size(); i++) {
                for (String r : endsAt.getOrDefault(i - 1, List.of())) {
                    Integer slot = rootSlot.get(r);
                    if (slot != null) {
                        free.computeIfAbsent(types.get(slot).byteSize(), k -> new ArrayDeque<>()).push(slot);
                        live -= types.get(slot).byteSize();
                    }
                }
                List<String> here = defs.get(i);
                if (here == null) {
                    continue;
                }
                for (String v : here) {
                    TensorType t = g.type(v).toTensorType();
                    ArrayDeque<Integer> pool = free.get(t.byteSize());
                    int slot;
                    if (pool != null && !pool.isEmpty()) {
                        slot = pool.pop();
                    } else {
                        slot = types.size();
                        types.add(t);
                    }
                    rootSlot.put(v, slot);
                    perTensor += t.byteSize();
                    live += t.byteSize();
                    peak = Math.max(peak, live);
                }
            }
            Map<String, Integer> of = new HashMap<>();
            storageOf.get(d).forEach((v, root) -> {
                Integer slot = rootSlot.get(root);
                if (slot != null) {
                    of.put(v, slot);
                }
            });
            long planned = types.stream().mapToLong(TensorType::byteSize).sum();
            long w = 0;
            for (var e : weights.entrySet()) {
                if (e.getKey().startsWith(d + "\u0000")) {
                    w += e.getValue();
                }
            }
            slotTypes.put(d, List.copyOf(types));
            slotOf.put(d, Collections.unmodifiableMap(of));
            report.put(d, new DeviceMemory(d, types.size(), planned, perTensor, peak, w));
        }
        return new MemoryPlan(Collections.unmodifiableMap(slotTypes), Collections.unmodifiableMap(slotOf),
                Collections.unmodifiableMap(report));
    }

    /** The definitions of device {@code d} per step, long enough to hold step {@code i}. */
    private static List<List<String>> padded(Map<String, List<List<String>>> definedAt, String d, int i) {
        List<List<String>> defs = definedAt.computeIfAbsent(d, k -> new ArrayList<>());
        while (defs.size() <= i) {
            defs.add(null);
        }
        return defs;
    }

    static boolean isConstant(Graph g, java.util.Set<String> constantViews, String v) {
        return g.constant(v) != null || constantViews.contains(v);
    }

    private static void use(Map<String, String> storage, Map<String, Integer> last, String v, int i, String d) {
        String root = storage.get(v);
        if (root == null) {
            throw new IllegalStateException("value '" + v + "' is read on " + d + " at step " + i + " before any step puts it there");
        }
        last.merge(root, i, Math::max);
    }

    private static void define(Map<String, String> storage, Map<String, Integer> last, List<List<String>> defs, String v, int i) {
        storage.put(v, v);
        last.merge(v, i, Math::max);
        if (defs.get(i) == null) {
            defs.set(i, new ArrayList<>());
        }
        defs.get(i).add(v);
    }

    /** The slot types of a device, in slot order (empty for a device with no tensors). */
    List<TensorType> slots(String device) {
        return slotTypes.getOrDefault(device, List.of());
    }

    /** The slot holding {@code value} on {@code device}. */
    int slot(String device, String value) {
        Integer s = slotOf.getOrDefault(device, Map.of()).get(value);
        if (s == null) {
            throw new IllegalStateException("no slot for value '" + value + "' on " + device);
        }
        return s;
    }

    /** Per device id, the figures. */
    public Map<String, DeviceMemory> devices() {
        return report;
    }

    /** One line per device: slots and bytes planned against one buffer per tensor. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (DeviceMemory m : report.values()) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "%s: %d buffers, %.2f MiB per run (one buffer per tensor: %.2f MiB; peak live %.2f MiB); weights %.2f MiB%n",
                    m.device(), m.slots(), m.plannedBytes() / 1048576.0, m.perTensorBytes() / 1048576.0,
                    m.peakLiveBytes() / 1048576.0, m.weightBytes() / 1048576.0));
        }
        return sb.toString();
    }
}
