package dev.accel.onnx;

import dev.accel.hal.ModelFormatException;
import dev.accel.onnx.proto.Onnx.NodeProto;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders ONNX nodes topologically. ONNX requires files to be sorted already; this keeps a sorted
 * file's order and repairs an unsorted one, and reports a cycle or a value defined twice as a
 * model format error rather than looping.
 */
final class GraphOrder {
    private GraphOrder() {
    }

    static List<NodeProto> sorted(List<NodeProto> nodes, String model) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).getOutputList()) {
                if (o.isEmpty()) {
                    continue;
                }
                Integer before = producer.put(o, i);
                if (before != null) {
                    throw new ModelFormatException("model " + model + ": value '" + o + "' is produced by node " + before + " ('"
                            + nodes.get(before).getName() + "') and node " + i + " ('" + nodes.get(i).getName() + "')");
                }
            }
        }
        int[] pending = new int[nodes.size()];
        List<List<Integer>> dependents = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            dependents.add(new ArrayList<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).getInputList()) {
                Integer p = producer.get(in);
                if (p != null) {
                    pending[i]++;
                    dependents.get(p).add(i);
                }
            }
        }
        Deque<Integer> ready = new ArrayDeque<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> out = new ArrayList<>(nodes.size());
        // Prefer file order: take the smallest ready index each time.
        java.util.PriorityQueue<Integer> pq = new java.util.PriorityQueue<>(ready);
        while (!pq.isEmpty()) {
            int i = pq.poll();
            out.add(nodes.get(i));
            for (int d : dependents.get(i)) {
                if (--pending[d] == 0) {
                    pq.add(d);
                }
            }
        }
        if (out.size() != nodes.size()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < nodes.size() && stuck.size() < 10; i++) {
                if (pending[i] > 0) {
                    stuck.add(nodes.get(i).getOpType() + " '" + nodes.get(i).getName() + "'");
                }
            }
            throw new ModelFormatException("model " + model + ": the nodes form a cycle, for example through " + stuck);
        }
        return out;
    }
}
