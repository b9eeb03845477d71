package dev.accel.partitioner;

import dev.accel.graph.Graph;
import dev.accel.hal.OutOfDeviceMemoryException;
import java.util.List;
import java.util.Objects;

/**
 * Places a resolved graph on a set of targets, minimising the estimated end-to-end latency under
 * the preferences, and returns a {@link Plan} that explains itself.
 *
 * <pre>{@code
 * Plan plan = new Partitioner().plan(graph, devices.stream().map(Target::of).toList(),
 *         Preferences.builder().precision(Precision.FP16).build());
 * System.out.print(plan.explain());
 * }</pre>
 *
 * <p>How: each node is claimed by each target in each allowed precision (its spec narrowed to
 * float16 where the node has such a form; Reshape and Identity run anywhere as buffer views);
 * the cost model prices every runnable claim, every transfer and every conversion; the search
 * (see {@link SearchOptions}) looks for the assignment with the smallest estimate, simulating the
 * runtime's queues so that overlap between devices counts; the plan then places one conversion per
 * value and dtype, one transfer per value and destination, and groups nodes into acyclic regions.
 *
 * <p>Thread safety: immutable; {@link #plan} may be called from any thread.
 */
public final class Partitioner {
    private static final System.Logger LOG = System.getLogger(Partitioner.class.getName());

    private final CostModel cost;
    private final SearchOptions search;

    /** The roofline cost model and default search. */
    public Partitioner() {
        this(CostModel.roofline(), SearchOptions.defaults());
    }

    public Partitioner(CostModel cost, SearchOptions search) {
        this.cost = Objects.requireNonNull(cost, "cost");
        this.search = Objects.requireNonNull(search, "search");
    }

    public CostModel costModel() {
        return cost;
    }

    public SearchOptions searchOptions() {
        return search;
    }

    /** This partitioner with another cost model. */
    public Partitioner withCostModel(CostModel c) {
        return new Partitioner(c, search);
    }

    /** This partitioner with other search options. */
    public Partitioner withSearch(SearchOptions s) {
        return new Partitioner(cost, s);
    }

    /**
     * Plans {@code graph} on {@code targets}.
     *
     * @throws dev.accel.hal.InvalidArgumentException when the graph is not resolved, targets repeat an
     *     id, or a preference names a node or device that does not exist
     * @throws dev.accel.hal.UnsupportedOpException naming a node no allowed target runs, with each
     *     target's reason
     * @throws OutOfDeviceMemoryException when no placement fits the memory budgets
     */
    public Plan plan(Graph graph, List<Target> targets, Preferences preferences) {
        long t0 = System.nanoTime();
        Problem pb = new Problem(graph, targets, preferences, cost);
        long t1 = System.nanoTime();
        Search.Result r = new Search(pb, search).run();
        if (r.estimate() == Problem.INF) {
            StringBuilder sb = new StringBuilder();
            for (int t = 0; t < pb.d; t++) {
                sb.append(t == 0 ? "" : ", ").append(pb.targets[t].id()).append(' ').append(pb.budget[t]).append(" bytes");
            }
            throw new OutOfDeviceMemoryException("no placement of graph '" + graph.name() + "' fits the memory budgets ("
                    + sb + "): each device's weights plus its largest node's working set must fit");
        }
        long t2 = System.nanoTime();
        Plan plan = new PlanBuilder(pb, r).build();
        long t3 = System.nanoTime();
        LOG.log(System.Logger.Level.DEBUG, () -> String.format(java.util.Locale.ROOT,
                "planned '%s' (%d nodes, %d units): claims %.1f ms, search %.1f ms, plan %.1f ms; %s",
                graph.name(), graph.nodes().size(), pb.units, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, r.method()));
        return plan;
    }
}
