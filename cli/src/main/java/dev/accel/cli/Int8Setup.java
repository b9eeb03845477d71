package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.QuantParams;
import dev.accel.runtime.Calibration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code --precision int8} needs before planning: quantization parameters for the
 * activations. A QDQ model carries them in its QuantizeLinear nodes; the graph planned is then the
 * float graph the model describes. Any other model is calibrated: run in float32 on the CPU over
 * random inputs (uniform in [-1, 1), the inputs {@code accel run} feeds), each tensor's observed
 * range giving asymmetric uint8 parameters.
 *
 * @param graph the graph to plan
 * @param preferences the preferences with the parameters set
 * @param description one line saying where the parameters came from
 */
record Int8Setup(Graph graph, Preferences preferences, String description) {
    /** Random inputs calibrated over when the command line does not say. */
    static final int DEFAULT_SAMPLES = 8;

    /**
     * The setup for {@code prefs}: unchanged unless its precision is int8.
     *
     * @param samples calibration inputs for a model without QuantizeLinear nodes
     * @param seed the first calibration input's seed (then seed + 1, ...)
     * @param devices the devices open, among which the CPU calibrates
     */
    static Int8Setup of(Graph g, Preferences prefs, int samples, long seed, List<Device> devices) {
        if (prefs.precision() != Precision.INT8) {
            return new Int8Setup(g, prefs, "");
        }
        if (g.nodes().stream().map(Node::kernel).anyMatch(QuantizeLinear.class::isInstance)) {
            QuantParams q = QuantParams.fromQdq(g);
            return new Int8Setup(QuantParams.withoutQdq(g), prefs.toBuilder().quantization(q).build(), String.format(Locale.ROOT,
                    "int8: quantization parameters of %d tensors from the model's QuantizeLinear nodes", q.size()));
        }
        Device cpu = devices.stream().filter(d -> d.info().kind() == DeviceKind.CPU).findFirst()
                .orElseThrow(() -> new UsageException("--precision int8 calibrates on the CPU, and no CPU device is available"));
        List<Map<String, HostTensor>> inputs = new ArrayList<>();
        try {
            for (int i = 0; i < samples; i++) {
                inputs.add(RunCommand.inputs(g, seed + i));
            }
            QuantParams q = Calibration.quantParams(g, cpu, inputs);
            return new Int8Setup(g, prefs.toBuilder().quantization(q).build(), String.format(Locale.ROOT,
                    "int8: quantization parameters of %d tensors calibrated on %s over %d random inputs (seeds %d..%d)", q.size(),
                    cpu.info().id(), samples, seed, seed + samples - 1));
        } finally {
            inputs.forEach(m -> m.values().forEach(HostTensor::close));
        }
    }
}
