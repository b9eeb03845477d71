package dev.accel.graph;

/**
 * A rewrite of a graph into an equivalent one. Passes never modify their input (graphs are
 * immutable); they return the input itself when nothing changed.
 */
public interface GraphPass {
    /** A short name for logs and reports ("constant-folding"). */
    String name();

    /**
     * The rewritten graph.
     *
     * @throws dev.accel.hal.InvalidArgumentException when the rewrite meets an invalid graph
     */
    Graph apply(Graph g);
}
