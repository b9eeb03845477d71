package dev.accel.runtime;

import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.Backends;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.QuantParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Int8 calibration from a set of sample inputs: runs the graph in float32 on one device (the CPU
 * by default) over every sample and records each float tensor's smallest and largest value: the
 * graph's inputs and every node's outputs.
 *
 * <pre>{@code
 * QuantParams q = Calibration.quantParams(graph, samples);
 * Preferences p = Preferences.builder().precision(Precision.INT8).quantization(q).build();
 * }</pre>
 *
 * <p>Calibrate over inputs drawn like those the model will see: the parameters cover exactly the
 * ranges observed, and values outside them saturate. Thread safety: stateless; each call makes its
 * own session.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * The observed range of every float tensor of {@code graph}.
     *
     * @param graph a resolved graph (or one whose inputs the samples give shapes to)
     * @param device where to run it, in float32, all of it (the caller keeps owning it)
     * @param samples at least one; each maps every graph input to a tensor of its type
     * @return value name to {@code {min, max}}, in the graph's order (inputs, then node outputs)
     * @throws InvalidArgumentException when there are no samples or one lacks an input
     */
    public static Map<String, double[]> ranges(Graph graph, Device device, List<Map<String, HostTensor>> samples) {
        if (samples.isEmpty()) {
            throw new InvalidArgumentException("calibration of graph '" + graph.name() + "' needs at least one sample, got 0");
        }
        Set<String> observed = new LinkedHashSet<>();
        for (String in : graph.inputs()) {
            if (graph.type(in).dtype().isFloat()) {
                observed.add(in);
            }
        }
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                if (graph.type(o).dtype().isFloat()) {
                    observed.add(o);
                }
            }
        }
        Set<String> outputs = new LinkedHashSet<>(graph.outputs());
        for (String v : observed) {
            if (!graph.inputs().contains(v)) {
                outputs.add(v);
            }
        }
        GraphBuilder b = graph.toBuilder();
        b.setOutputs(new ArrayList<>(outputs));
        Graph all = b.build();
        Map<String, double[]> ranges = new LinkedHashMap<>();
        for (String v : observed) {
            ranges.put(v, new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
        }
        Preferences fp32 = Preferences.builder().precision(Precision.FP32).fallback(false).build();
        try (Session s = Session.builder(all).devices(List.of(device)).preferences(fp32).build()) {
            for (Map<String, HostTensor> sample : samples) {
                for (String in : graph.inputs()) {
                    HostTensor t = sample.get(in);
                    if (t == null) {
                        throw new InvalidArgumentException("calibration sample lacks input '" + in + "' of graph '"
                                + graph.name() + "'; it has " + sample.keySet());
                    }
                    if (ranges.containsKey(in)) {
                        widen(ranges.get(in), t);
                    }
                }
                try (RunResult r = s.run(sample)) {
                    for (var e : r.outputs().entrySet()) {
                        double[] range = ranges.get(e.getKey());
                        if (range != null) {
                            widen(range, e.getValue());
                        }
                    }
                }
            }
        }
        return ranges;
    }

    /** {@link #ranges(Graph, Device, List)} on the first CPU device, opened and closed here. */
    public static Map<String, double[]> ranges(Graph graph, List<Map<String, HostTensor>> samples) {
        var cpu = Backends.find("cpu").orElseThrow(() -> new InvalidArgumentException(
                "calibration runs on the CPU backend, which is not on the class path (module backend-cpu-vector)"));
        List<Device> opened = cpu.open();
        try {
            return ranges(graph, opened.get(0), samples);
        } finally {
            for (Device d : opened) {
                d.close();
            }
        }
    }

    /** Asymmetric uint8 parameters ({@link QuantParams#calibrate}) from {@link #ranges(Graph, List)}. */
    public static QuantParams quantParams(Graph graph, List<Map<String, HostTensor>> samples) {
        return QuantParams.calibrate(ranges(graph, samples));
    }

    /** Asymmetric uint8 parameters ({@link QuantParams#calibrate}) from {@link #ranges(Graph, Device, List)}. */
    public static QuantParams quantParams(Graph graph, Device device, List<Map<String, HostTensor>> samples) {
        return QuantParams.calibrate(ranges(graph, device, samples));
    }

    private static void widen(double[] range, HostTensor t) {
        long n = t.numel();
        double lo = range[0];
        double hi = range[1];
        for (long i = 0; i < n; i++) {
            double v = t.getDouble(i);
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        range[0] = lo;
        range[1] = hi;
    }
}
