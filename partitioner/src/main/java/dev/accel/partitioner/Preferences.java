package dev.accel.partitioner;

import dev.accel.hal.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an application prefers, as the partitioner and the runtime read it. Immutable; made with
 * {@link #builder()}:
 *
 * <pre>{@code
 * Preferences p = Preferences.builder()
 *         .prefer("npu", "gpu", "cpu")        // breaks ties between equal estimates, in this order
 *         .pin("fc", "cpu:0")                 // this node runs there, whatever the cost
 *         .forbid("opencl:1")                 // never this device
 *         .memoryBudget("npu:0", 256L << 20)  // at most this many bytes of weights and activations there
 *         .precision(Precision.FP16)          // float16 allowed where a device runs it
 *         .fallback(true)                     // re-place and rerun when a device fails
 *         .build();
 * }</pre>
 *
 * <p>Devices are named by tokens that {@link Target#matches}: an id ("npu:0"), a backend ("npu")
 * or a kind ("gpu"). A token that names no device of a plan is ignored for device order and
 * forbidding, and is an error for a pin or a budget (the user asked for something that cannot be
 * honoured). The default is: no order, no pins, nothing forbidden, no budgets beyond each device's
 * memory, {@link Precision#FP32}, fallback on, no quantization parameters.
 */
public final class Preferences {
    private static final Preferences DEFAULTS = builder().build();

    private final List<String> deviceOrder;
    private final Map<String, String> pins;
    private final Set<String> forbidden;
    private final Map<String, Long> memoryBudgets;
    private final Precision precision;
    private final boolean fallback;
    private final QuantParams quantization;

    private Preferences(Builder b) {
        this.deviceOrder = List.copyOf(b.deviceOrder);
        this.pins = Collections.unmodifiableMap(new LinkedHashMap<>(b.pins));
        this.forbidden = Collections.unmodifiableSet(new LinkedHashSet<>(b.forbidden));
        this.memoryBudgets = Collections.unmodifiableMap(new LinkedHashMap<>(b.memoryBudgets));
        this.precision = b.precision;
        this.fallback = b.fallback;
        this.quantization = b.quantization;
    }

    /** The defaults (see the class comment). */
    public static Preferences defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these preferences, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.deviceOrder.addAll(deviceOrder);
        b.pins.putAll(pins);
        b.forbidden.addAll(forbidden);
        b.memoryBudgets.putAll(memoryBudgets);
        b.precision = precision;
        b.fallback = fallback;
        b.quantization = quantization;
        return b;
    }

    /** Device tokens in order of preference. */
    public List<String> deviceOrder() {
        return deviceOrder;
    }

    /** Node name to device token. */
    public Map<String, String> pins() {
        return pins;
    }

    /** Device tokens never to use. */
    public Set<String> forbidden() {
        return forbidden;
    }

    /** Device token to the most bytes a plan may keep there (weights and activations). */
    public Map<String, Long> memoryBudgets() {
        return memoryBudgets;
    }

    /** The narrowest precision allowed. */
    public Precision precision() {
        return precision;
    }

    /** True when a device failing mid-run makes the runtime re-place its work and rerun. */
    public boolean fallback() {
        return fallback;
    }

    /** Quantization parameters for {@link Precision#INT8}, or null when none were given. */
    public QuantParams quantization() {
        return quantization;
    }

    /** The rank of a target in the device order: the index of the first token it matches, or the order's size. */
    public int rank(Target t) {
        for (int i = 0; i < deviceOrder.size(); i++) {
            if (t.matches(deviceOrder.get(i))) {
                return i;
            }
        }
        return deviceOrder.size();
    }

    /** True when a forbidden token names this target. */
    public boolean isForbidden(Target t) {
        return forbidden.stream().anyMatch(t::matches);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("precision ").append(precision.label());
        if (!deviceOrder.isEmpty()) {
            sb.append(", prefer ").append(String.join(",", deviceOrder));
        }
        if (!pins.isEmpty()) {
            sb.append(", pins ").append(pins);
        }
        if (!forbidden.isEmpty()) {
            sb.append(", forbidden ").append(forbidden);
        }
        if (!memoryBudgets.isEmpty()) {
            sb.append(", budgets ").append(memoryBudgets);
        }
        sb.append(", fallback ").append(fallback ? "on" : "off");
        if (quantization != null) {
            sb.append(", ").append(quantization.size()).append(" quantized tensors");
        }
        return sb.toString();
    }

    /** Builds {@link Preferences}. Not thread-safe. */
    public static final class Builder {
        private final List<String> deviceOrder = new ArrayList<>();
        private final Map<String, String> pins = new LinkedHashMap<>();
        private final Set<String> forbidden = new LinkedHashSet<>();
        private final Map<String, Long> memoryBudgets = new LinkedHashMap<>();
        private Precision precision = Precision.FP32;
        private boolean fallback = true;
        private QuantParams quantization;

        private Builder() {
        }

        /** Replaces the device order with these tokens, most preferred first. */
        public Builder prefer(String... tokens) {
            return prefer(Arrays.asList(tokens));
        }

        /** Replaces the device order with these tokens, most preferred first. */
        public Builder prefer(List<String> tokens) {
            deviceOrder.clear();
            for (String t : tokens) {
                deviceOrder.add(token(t, "prefer"));
            }
            return this;
        }

        /** Runs node {@code node} on the device {@code device} names, whatever the cost. */
        public Builder pin(String node, String device) {
            Objects.requireNonNull(node, "node");
            pins.put(node, token(device, "pin"));
            return this;
        }

        /** Never uses the devices these tokens name. */
        public Builder forbid(String... tokens) {
            for (String t : tokens) {
                forbidden.add(token(t, "forbid"));
            }
            return this;
        }

        /** Keeps at most {@code bytes} of weights and activations on the device {@code device} names. */
        public Builder memoryBudget(String device, long bytes) {
            if (bytes < 0) {
                throw new InvalidArgumentException("memory budget for '" + device + "' is " + bytes + " bytes, must be >= 0");
            }
            memoryBudgets.put(token(device, "memoryBudget"), bytes);
            return this;
        }

        /** The narrowest precision allowed. */
        public Builder precision(Precision p) {
            this.precision = Objects.requireNonNull(p, "precision");
            return this;
        }

        /** Re-place and rerun when a device fails mid-run (on by default). */
        public Builder fallback(boolean on) {
            this.fallback = on;
            return this;
        }

        /** Quantization parameters for int8 (from a QDQ model or {@link QuantParams#calibrate}). */
        public Builder quantization(QuantParams q) {
            this.quantization = q;
            return this;
        }

        public Preferences build() {
            return new Preferences(this);
        }

        private static String token(String t, String what) {
            if (t == null || t.isBlank()) {
                throw new InvalidArgumentException(what + ": device token is blank; use an id (\"npu:0\"), a backend (\"npu\") "
                        + "or a kind (\"gpu\")");
            }
            return t.trim();
        }
    }
}
