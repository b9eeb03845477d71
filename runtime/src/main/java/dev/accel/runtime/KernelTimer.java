package dev.accel.runtime;

import dev.accel.hal.Device;
import dev.accel.hal.op.OpSpec;
import dev.accel.partitioner.Claim;
import dev.accel.partitioner.CostModel;
import dev.accel.partitioner.MeasuredCostModel;
import dev.accel.partitioner.NodePlacement;
import dev.accel.partitioner.Plan;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partitioner's measured mode: times every kernel a plan considered (each runnable claim of
 * each node, on each device, in each allowed precision) by running it on the device, and gives a
 * {@link MeasuredCostModel} to plan again with. Each distinct spec is timed once per device: the
 * median of a few timings after a warm-up, each of a few dispatches queued back to back (as in a
 * run) divided by their number. Costly (it runs every candidate
 * kernel); results can be kept and reused for the same specs.
 */
public final class KernelTimer {
    /** Dispatches queued back to back per timing, as kernels follow each other in a run. */
    private static final int BATCH = 4;

    private final int repeat;
    private final boolean warmUpFirst;

    /** Three timed dispatches per kernel, after warming each device up ({@link Calibrator#warmUp}). */
    public KernelTimer() {
        this(3, true);
    }

    /**
     * @param repeat timed dispatches per kernel (their median counts)
     * @param warmUpFirst whether to warm each device up first: a JIT-compiled backend's kernels run
     *     several times slower until compiled, which each kernel's own short warm-up does not cover
     */
    public KernelTimer(int repeat, boolean warmUpFirst) {
        this.repeat = repeat;
        this.warmUpFirst = warmUpFirst;
    }

    /**
     * Times the candidate kernels of {@code plan} on {@code devices} (by id) and returns the cost
     * model that uses those times over {@code base}.
     */
    public MeasuredCostModel measure(Plan plan, List<Device> devices, CostModel base) {
        Map<String, Device> byId = new LinkedHashMap<>();
        devices.forEach(d -> byId.put(d.info().id(), d));
        if (warmUpFirst) {
            devices.forEach(Calibrator::warmUp);
        }
        Map<String, Map<OpSpec, Double>> seconds = new HashMap<>();
        for (NodePlacement np : plan.placements().values()) {
            for (Claim c : np.claims()) {
                Device d = byId.get(c.target());
                if (d == null || !c.usable() || c.seconds() == 0) {
                    continue;
                }
                Map<OpSpec, Double> m = seconds.computeIfAbsent(c.target(), k -> new HashMap<>());
                if (!m.containsKey(c.spec())) {
                    m.put(c.spec(), Calibrator.median(Calibrator.time(d, c.spec(), repeat, BATCH)));
                }
            }
        }
        return new MeasuredCostModel(base, seconds);
    }
}
