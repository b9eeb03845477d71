package dev.accel.conformance;

import dev.accel.conformance.reference.Reference;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.Fence;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A case of {@link Device#prepare(OpSpec, Map)}: the kernel prepared with some inputs declared
 * constant (weights, biases, quantization parameters) must give what the kernel prepared without
 * them gives, within the output dtype's tolerance, and match the float64 reference. It is dispatched
 * twice with different values of the other inputs, so a pre-processed copy of the constants must
 * survive a dispatch; and the caller's constant tensors are overwritten right after prepare, since
 * the device takes its copy there ("changing a constant means preparing again").
 *
 * @param constants indices of the spec's inputs given as constants
 */
record ConstantsCase(String id, String op, String dtype, String shape, OpSpec spec, List<Gen> inputs, Set<Integer> constants)
        implements ConformanceCase {
    ConstantsCase {
        inputs = List.copyOf(inputs);
        constants = Set.copyOf(new TreeSet<>(constants));
        if (id.contains(" ") || inputs.size() != spec.inputs().size()) {
            throw new IllegalArgumentException(id + ": no spaces, and one generator per input of " + spec);
        }
        for (int i : constants) {
            if (i < 0 || i >= spec.inputs().size()) {
                throw new IllegalArgumentException(id + ": constant index " + i + " is not an input of " + spec);
            }
        }
    }

    static ConstantsCase of(String op, String dtype, String family, OpSpec spec, Set<Integer> constants, Gen... gens) {
        return new ConstantsCase(op + "/" + dtype + "/" + family, op, dtype,
                Labels.shapes(spec.inputs(), spec.outputs()) + ", constant " + new TreeSet<>(constants), spec, List.of(gens),
                constants);
    }

    @Override
    public CaseResult run(Device device, Queue queue) {
        Support support = device.capabilities().support(spec);
        if (!support.runnable()) {
            return unsupported(device, support);
        }
        try (Resources res = new Resources()) {
            SplittableRandom random = new SplittableRandom(OpCase.seed(id));
            List<HostTensor> first = generate(res, random, Set.of());
            List<HostTensor> second = generate(res, random, constants);
            for (int i : constants) {
                second.set(i, first.get(i));
            }
            List<double[]> expectFirst;
            List<double[]> expectSecond;
            try {
                expectFirst = Reference.run(spec, values(first));
                expectSecond = Reference.run(spec, values(second));
            } catch (RuntimeException e) {
                return result(Outcome.FAILED, Double.NaN, Double.NaN, "conformance suite error: the reference failed: " + e);
            }
            CaseResult r;
            try {
                r = onDevice(device, queue, res, first, second, expectFirst, expectSecond);
            } catch (QueueStuckException e) {
                res.abandon();
                throw e;
            } catch (RuntimeException e) {
                r = result(Outcome.FAILED, Double.NaN, Double.NaN, OpCase.describe(e));
            }
            try {
                if (!queue.marker().await(OpCase.TIMEOUT)) {
                    res.abandon();
                    throw new QueueStuckException(result(Outcome.FAILED, Double.NaN, Double.NaN,
                            "queued work did not finish within " + OpCase.TIMEOUT.toSeconds() + " s"));
                }
            } catch (QueueStuckException e) {
                throw e;
            } catch (RuntimeException e) {
                // A failure of the queued work, which the result already carries.
            }
            return r;
        }
    }

    /** Host inputs from {@code random}; indices in {@code skip} get no values (the caller fills them). */
    private List<HostTensor> generate(Resources res, SplittableRandom random, Set<Integer> skip) {
        List<HostTensor> hs = new ArrayList<>();
        for (int i = 0; i < spec.inputs().size(); i++) {
            TensorType t = spec.inputs().get(i);
            HostTensor h = res.add(HostTensor.allocate(t));
            if (!skip.contains(i)) {
                double[] v = inputs.get(i).values((int) t.numel(), random);
                for (int j = 0; j < v.length; j++) {
                    h.setDouble(j, v[j]);
                }
            }
            hs.add(h);
        }
        return hs;
    }

    private static List<double[]> values(List<HostTensor> hs) {
        return hs.stream().map(HostTensor::toDoubleArray).toList();
    }

    private CaseResult onDevice(Device device, Queue queue, Resources res, List<HostTensor> first, List<HostTensor> second,
                                List<double[]> expectFirst, List<double[]> expectSecond) {
        Map<Integer, HostTensor> given = new HashMap<>();
        for (int i : constants) {
            HostTensor copy = res.add(HostTensor.allocate(first.get(i).type()));
            copy.segment().copyFrom(first.get(i).segment());
            given.put(i, copy);
        }
        Kernel plain;
        Kernel folded;
        try {
            plain = res.add(device.prepare(spec));
            folded = res.add(device.prepare(spec, given));
        } catch (UnsupportedOpException e) {
            return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say " + device.capabilities().support(spec)
                    + " for " + spec + ", but prepare threw UnsupportedOpException: " + e.getMessage());
        }
        for (HostTensor h : given.values()) {
            h.segment().fill((byte) 0x7F); // the device's copy was taken at prepare
        }
        List<DeviceBuffer> in = new ArrayList<>();
        List<Fence> fences = new ArrayList<>();
        for (HostTensor h : first) {
            DeviceBuffer b = res.add(device.allocate(h.type()));
            fences.add(queue.write(h, b));
            in.add(b);
        }
        List<HostTensor> plainOut = dispatch(device, queue, res, plain, in, fences);
        List<HostTensor> foldedOut = dispatch(device, queue, res, folded, in, fences);
        for (int i = 0; i < second.size(); i++) {
            if (!constants.contains(i)) {
                fences.add(queue.write(second.get(i), in.get(i)));
            }
        }
        List<HostTensor> foldedAgain = dispatch(device, queue, res, folded, in, fences);
        for (Fence f : fences) {
            await(f);
        }
        await(queue.marker());
        double maxAbs = 0;
        double maxRel = 0;
        List<String> problems = new ArrayList<>();
        for (int o = 0; o < spec.outputs().size(); o++) {
            Tolerance tol = Tolerances.of(spec.op(), spec.outputs().get(o).dtype());
            String prefix = spec.outputs().size() > 1 ? "output " + o + ": " : "";
            Comparison same = Comparison.of(foldedOut.get(o).toDoubleArray(), plainOut.get(o).toDoubleArray(), tol);
            Comparison ref = Comparison.of(foldedOut.get(o).toDoubleArray(), expectFirst.get(o), tol);
            Comparison again = Comparison.of(foldedAgain.get(o).toDoubleArray(), expectSecond.get(o), tol);
            maxAbs = Math.max(maxAbs, Math.max(ref.maxAbsError(), again.maxAbsError()));
            maxRel = Math.max(maxRel, Math.max(ref.maxRelError(), again.maxRelError()));
            if (!same.ok()) {
                problems.add(prefix + "with constants differs from without: " + same.detail());
            }
            if (!ref.ok()) {
                problems.add(prefix + "with constants against the reference: " + ref.detail());
            }
            if (!again.ok()) {
                problems.add(prefix + "second dispatch with constants, other non-constant inputs: " + again.detail());
            }
        }
        return result(problems.isEmpty() ? Outcome.PASSED : Outcome.FAILED, maxAbs, maxRel, String.join("; ", problems));
    }

    /** Queues one dispatch into fresh outputs (filled with 0xFF first) and their reads. */
    private List<HostTensor> dispatch(Device device, Queue queue, Resources res, Kernel k, List<DeviceBuffer> in,
                                      List<Fence> fences) {
        List<DeviceBuffer> out = new ArrayList<>();
        for (TensorType t : spec.outputs()) {
            DeviceBuffer b = res.add(device.allocate(t));
            HostTensor poison = res.add(HostTensor.allocate(t));
            poison.segment().fill((byte) 0xFF);
            fences.add(queue.write(poison, b));
            out.add(b);
        }
        fences.add(queue.dispatch(k, in, out));
        List<HostTensor> results = new ArrayList<>();
        for (DeviceBuffer b : out) {
            HostTensor h = res.add(HostTensor.allocate(b.type()));
            fences.add(queue.read(b, h));
            results.add(h);
        }
        return results;
    }

    private CaseResult unsupported(Device device, Support support) {
        try (Kernel k = device.prepare(spec, Map.of())) {
            return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say UNSUPPORTED (" + support.reason()
                    + ") for " + spec + ", but prepare with constants succeeded with " + k
                    + "; it must throw UnsupportedOpException");
        } catch (UnsupportedOpException e) {
            return result(Outcome.UNSUPPORTED, Double.NaN, Double.NaN, support.reason());
        } catch (RuntimeException e) {
            return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say UNSUPPORTED for " + spec
                    + ", but prepare with constants threw " + OpCase.describe(e) + " instead of UnsupportedOpException");
        }
    }

    private void await(Fence f) {
        if (!f.await(OpCase.TIMEOUT)) {
            throw new QueueStuckException(result(Outcome.FAILED, Double.NaN, Double.NaN,
                    "the case's work did not finish within " + OpCase.TIMEOUT.toSeconds() + " s"));
        }
    }

    private CaseResult result(Outcome outcome, double maxAbs, double maxRel, String detail) {
        return new CaseResult(id, op, dtype, shape, outcome, maxAbs, maxRel, detail);
    }
}
