package dev.accel.partitioner;

import dev.accel.graph.Graph;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where and how a graph runs: the graph as it will run ({@link #graph()}: the source's nodes in
 * their chosen precision, weights converted once, a conversion node wherever a value changes
 * dtype), the device of each of its nodes, the steps in the order the runtime queues them, the
 * regions, transfers and conversions, the estimate, and why each node is where it is
 * ({@link #explain()}, {@link #toDot()}). Made by {@link Partitioner}. Immutable and thread-safe;
 * holds no device resources (its targets' capabilities are only read).
 */
public final class Plan {
    private final Graph source;
    private final java.util.function.Supplier<Graph> graphMaker;
    private volatile Graph graph;
    private final List<Target> targets;
    private final List<Target> used;
    private final Preferences preferences;
    private final List<Region> regions;
    private final List<Step> steps;
    private final List<Conversion> conversions;
    private final List<Transfer> transfers;
    private final java.util.function.Supplier<List<NodePlacement>> explainer;
    private volatile Map<String, NodePlacement> placements;
    private final Map<String, String> deviceOf = new HashMap<>();
    private final double estimate;
    private final String method;
    private final boolean exact;
    private final double singleDevice;
    private final String singleDeviceId;
    private final Map<String, Long> memory;

    Plan(Problem pb, java.util.function.Supplier<Graph> graph, List<Region> regions, List<Step> steps, List<Conversion> conversions,
         List<Transfer> transfers, java.util.function.Supplier<List<NodePlacement>> explainer, double estimate,
         Search.Result result, Map<String, Long> memory, Map<String, String> fusedInto) {
        this.source = pb.graph;
        this.graphMaker = graph;
        this.targets = pb.allTargets;
        this.preferences = pb.prefs;
        this.regions = List.copyOf(regions);
        this.steps = List.copyOf(steps);
        this.conversions = List.copyOf(conversions);
        this.transfers = List.copyOf(transfers);
        this.explainer = explainer;
        for (Step s : steps) {
            if (s.kind() == Step.Kind.KERNEL) {
                deviceOf.put(s.node(), s.device());
            }
        }
        for (var e : fusedInto.entrySet()) {
            deviceOf.put(e.getKey(), deviceOf.get(e.getValue()));
        }
        this.used = targets.stream().filter(t -> deviceOf.containsValue(t.id())).toList();
        this.estimate = estimate;
        this.method = result.method();
        this.exact = result.exact();
        this.singleDevice = result.singleDevice();
        this.singleDeviceId = result.singleTarget() < 0 ? null : pb.targets[result.singleTarget()].id();
        this.memory = Collections.unmodifiableMap(new LinkedHashMap<>(memory));
    }

    /** The graph that was placed. */
    public Graph source() {
        return source;
    }

    /**
     * The graph as it runs: the source's nodes (same names) in their precision, converted weights,
     * and conversion nodes; its inputs and outputs are the source's, with the same types. Each
     * node carries the annotations {@code placement.device}, and for source nodes
     * {@code placement.precision} and {@code placement.region}. Built (and type-checked by
     * {@link dev.accel.graph.GraphBuilder}) on first use.
     */
    public Graph graph() {
        Graph g = graph;
        if (g == null) {
            synchronized (this) {
                g = graph;
                if (g == null) {
                    g = graphMaker.get();
                    graph = g;
                }
            }
        }
        return g;
    }

    /**
     * The device id a node of {@link #graph()} runs on; for a source node that runs inside another
     * (an activation in a {@link dev.accel.hal.op.FusedConv}), that node's device.
     */
    public String deviceOf(String node) {
        String d = deviceOf.get(node);
        if (d == null) {
            throw new dev.accel.hal.InvalidArgumentException("plan of graph '" + source.name() + "' has no node '" + node + "'");
        }
        return d;
    }

    /** Every target the plan was made for, forbidden ones included. */
    public List<Target> targets() {
        return targets;
    }

    /** The targets that run at least one node. */
    public List<Target> usedTargets() {
        return used;
    }

    public Preferences preferences() {
        return preferences;
    }

    /** The regions, in a topological order. */
    public List<Region> regions() {
        return regions;
    }

    /** The work in the order the runtime queues it, with estimated times. */
    public List<Step> steps() {
        return steps;
    }

    public List<Conversion> conversions() {
        return conversions;
    }

    public List<Transfer> transfers() {
        return transfers;
    }

    /**
     * Per node of the source graph, in its order: device, precision, region, claims and the reason.
     * Computed on first use (it costs about as much as the placement itself on large graphs).
     */
    public Map<String, NodePlacement> placements() {
        Map<String, NodePlacement> p = placements;
        if (p == null) {
            synchronized (this) {
                p = placements;
                if (p == null) {
                    Map<String, NodePlacement> pl = new LinkedHashMap<>();
                    for (NodePlacement np : explainer.get()) {
                        pl.put(np.node(), np);
                    }
                    p = Collections.unmodifiableMap(pl);
                    placements = p;
                }
            }
        }
        return p;
    }

    /** The estimated end-to-end latency of one run, seconds. */
    public double estimatedSeconds() {
        return estimate;
    }

    /** The estimate of the best plan on one device alone (infinite when no device runs every node). */
    public double singleDeviceSeconds() {
        return singleDevice;
    }

    /** The device of that plan, or null when there is none. */
    public String singleDevice() {
        return singleDeviceId;
    }

    /** How the placement was found ("exact (branch and bound, 812 states)", "list scheduling + local refinement"). */
    public String method() {
        return method;
    }

    /** True when the placement is proven optimal for the cost model. */
    public boolean isExact() {
        return exact;
    }

    /** Per device id: estimated bytes of weights plus the largest working set of one node. */
    public Map<String, Long> estimatedMemory() {
        return memory;
    }

    /** Estimated busy time per device id (kernels, conversions, writes and direct copies on its compute queue). */
    public Map<String, Double> busySeconds() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Step s : steps) {
            if (!s.transferQueue()) {
                m.merge(s.device(), s.seconds(), Double::sum);
            }
        }
        return m;
    }

    /** The explanation: per region, transfers, conversions, memory, then per node why it is where it is. */
    public String explain() {
        return PlanFormat.explain(this);
    }

    /**
     * The plan in Graphviz DOT: one cluster per region, crossing edges in red labelled with their
     * bytes, solid and "direct" for a one-copy crossing between devices, dashed and "via host" for
     * one through host memory.
     */
    public String toDot() {
        return PlanFormat.dot(this);
    }

    @Override
    public String toString() {
        return "Plan(" + source.name() + ": " + regions.size() + " regions on " + used.stream().map(Target::id).toList()
                + ", estimated " + Explanations.ms(estimate) + ")";
    }
}
