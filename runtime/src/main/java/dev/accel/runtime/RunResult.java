package dev.accel.runtime;

import dev.accel.hal.HostTensor;
import dev.accel.partitioner.Plan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outputs of one run and what happened on the way. Owns the output tensors: close the result
 * (or each tensor) when done. A result is returned only from a run that completed; a run that fell
 * back to other devices says so in {@link #fallbacks()}.
 */
public final class RunResult implements AutoCloseable {
    private final Map<String, HostTensor> outputs;
    private final Plan plan;
    private final List<FallbackEvent> fallbacks;
    private final double seconds;
    private final Trace trace;
    private final List<StepTiming> timings;

    RunResult(Map<String, HostTensor> outputs, Plan plan, List<FallbackEvent> fallbacks, double seconds, Trace trace,
              List<StepTiming> timings) {
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.plan = plan;
        this.fallbacks = List.copyOf(fallbacks);
        this.seconds = seconds;
        this.trace = trace;
        this.timings = timings == null ? List.of() : List.copyOf(timings);
    }

    /** The outputs by graph output name, in the graph's order. */
    public Map<String, HostTensor> outputs() {
        return outputs;
    }

    /** One output. */
    public HostTensor output(String name) {
        HostTensor h = outputs.get(name);
        if (h == null) {
            throw new dev.accel.hal.InvalidArgumentException("no output named '" + name + "'; outputs: " + outputs.keySet());
        }
        return h;
    }

    /** The plan the outputs were computed with (after any fallback). */
    public Plan plan() {
        return plan;
    }

    /** The devices that failed during this run, in order; empty when none did. */
    public List<FallbackEvent> fallbacks() {
        return fallbacks;
    }

    /** True when a device failed and the run was repeated on the others. */
    public boolean fellBack() {
        return !fallbacks.isEmpty();
    }

    /** Wall time of the run, seconds, from the call to the outputs, fallbacks included. */
    public double seconds() {
        return seconds;
    }

    /** The trace, when the run was traced, else null. */
    public Trace trace() {
        return trace;
    }

    /** Measured times of the final attempt's steps, when traced; else empty. */
    public List<StepTiming> timings() {
        return timings;
    }

    @Override
    public void close() {
        outputs.values().forEach(HostTensor::close);
    }
}
