package dev.accel.partitioner;

import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Kernel times measured on the devices (the runtime's kernel timer makes them), used where
 * present; anything not measured, and every transfer, is estimated by a base model. Immutable.
 */
public final class MeasuredCostModel implements CostModel {
    private final CostModel base;
    private final Map<String, Map<OpSpec, Double>> seconds;

    /**
     * @param base the model for what was not measured
     * @param seconds target id to spec to measured seconds per run
     */
    public MeasuredCostModel(CostModel base, Map<String, Map<OpSpec, Double>> seconds) {
        this.base = base;
        Map<String, Map<OpSpec, Double>> copy = new HashMap<>();
        seconds.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        this.seconds = Collections.unmodifiableMap(copy);
    }

    @Override
    public double kernelSeconds(OpSpec spec, long flops, Target target, Support support) {
        Double s = seconds.getOrDefault(target.id(), Map.of()).get(spec);
        return s != null ? s : base.kernelSeconds(spec, flops, target, support);
    }

    @Override
    public double readSeconds(Target target, long bytes) {
        return base.readSeconds(target, bytes);
    }

    @Override
    public double writeSeconds(Target target, long bytes) {
        return base.writeSeconds(target, bytes);
    }

    @Override
    public double directSeconds(Target from, Target to, long bytes) {
        return base.directSeconds(from, to, bytes);
    }

    /** How many specs were measured, over all targets. */
    public int measuredCount() {
        return seconds.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public String toString() {
        return "measured (" + measuredCount() + " kernels) over " + base;
    }
}
