package dev.accel.partitioner;

import java.util.List;

/**
 * A connected group of nodes that run on one device in one precision, as the plan explains it.
 * Regions are formed so that the graph of regions (an edge wherever a value flows from one region
 * into another) has no cycle.
 *
 * @param index position in {@link Plan#regions()}, which is a topological order of the regions
 * @param device the device id
 * @param precision the precision its nodes run in
 * @param nodes the source graph's node names, in topological order
 * @param seconds estimated time of its kernels
 * @param bytesIn bytes of the values it reads from other regions or the graph's inputs
 * @param bytesOut bytes of the values it writes that other regions or the graph's outputs read
 * @param predecessors indices of the regions it reads from
 */
public record Region(int index, String device, Precision precision, List<String> nodes, double seconds, long bytesIn,
                     long bytesOut, List<Integer> predecessors) {
    public Region {
        nodes = List.copyOf(nodes);
        predecessors = List.copyOf(predecessors);
    }
}
