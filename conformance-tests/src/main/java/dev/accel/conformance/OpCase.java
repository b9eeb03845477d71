package dev.accel.conformance;

import dev.accel.conformance.reference.Reference;
import dev.accel.hal.DType;
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
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An op case: one spec (or a short chain of single-input specs, each fed the previous one's first
 * output, as channel shuffle is Reshape + Transpose + Reshape) on generated inputs, checked against
 * the float64 reference under the tolerance {@link Tolerances} declares for the last op's outputs.
 *
 * <p>Inputs are stored in their dtype first and the reference is given the stored values, so a
 * half-precision input is judged on what the device actually sees. Output buffers are filled with
 * 0xFF bytes (NaN, -1, 255) before the dispatch, so a kernel that leaves elements unwritten fails.
 *
 * @param steps the specs, in order
 * @param inputs one generator per input of the first spec
 */
public record OpCase(String id, String op, String dtype, String shape, List<OpSpec> steps, List<Gen> inputs)
        implements ConformanceCase {
    /** How long one case may take on the device: property {@code accel.conformance.timeoutSeconds}, default 120. */
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("accel.conformance.timeoutSeconds", 120));

    public OpCase {
        steps = List.copyOf(steps);
        inputs = List.copyOf(inputs);
        if (id.contains(" ") || steps.isEmpty()) {
            throw new IllegalArgumentException("case id '" + id + "' must have no spaces and at least one step");
        }
        if (inputs.size() != steps.getFirst().inputs().size()) {
            throw new IllegalArgumentException(id + ": " + inputs.size() + " generators for " + steps.getFirst());
        }
        for (int i = 1; i < steps.size(); i++) {
            OpSpec s = steps.get(i);
            if (s.inputs().size() != 1 || !s.inputs().getFirst().equals(steps.get(i - 1).outputs().getFirst())) {
                throw new IllegalArgumentException(id + ": step " + i + " (" + s + ") must take step " + (i - 1)
                        + "'s first output");
            }
        }
    }

    /** A single-spec case, id {@code op/dtype/family}, shapes described from the spec. */
    static OpCase of(String op, String dtype, String family, OpSpec spec, Gen... gens) {
        return new OpCase(op + "/" + dtype + "/" + family, op, dtype, Labels.shapes(spec.inputs(), spec.outputs()),
                List.of(spec), List.of(gens));
    }

    /** The seed of a case's inputs: a function of its id only, so each case reproduces alone. */
    static long seed(String id) {
        return 0x9E3779B97F4A7C15L ^ id.hashCode();
    }

    @Override
    public CaseResult run(Device device, Queue queue) {
        for (OpSpec s : steps) {
            Support support = device.capabilities().support(s);
            if (!support.runnable()) {
                return unsupported(device, s, support);
            }
        }
        try (Resources res = new Resources()) {
            OpSpec first = steps.getFirst();
            SplittableRandom random = new SplittableRandom(seed(id));
            List<HostTensor> hostIn = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            for (int i = 0; i < first.inputs().size(); i++) {
                TensorType t = first.inputs().get(i);
                HostTensor h = res.add(HostTensor.allocate(t));
                double[] v = inputs.get(i).values((int) t.numel(), random);
                for (int j = 0; j < v.length; j++) {
                    h.setDouble(j, v[j]);
                }
                hostIn.add(h);
                values.add(h.toDoubleArray());
            }
            List<double[]> expected;
            try {
                expected = Reference.run(first, values);
                for (int i = 1; i < steps.size(); i++) {
                    expected = Reference.run(steps.get(i), List.of(expected.getFirst()));
                }
            } catch (RuntimeException e) {
                return result(Outcome.FAILED, Double.NaN, Double.NaN, "conformance suite error: the reference failed: " + e);
            }
            CaseResult r;
            try {
                r = onDevice(device, queue, res, hostIn, expected);
            } catch (QueueStuckException e) {
                res.abandon();
                throw e;
            } catch (RuntimeException e) {
                r = result(Outcome.FAILED, Double.NaN, Double.NaN, describe(e));
            }
            drain(queue, res, r);
            return r;
        }
    }

    private CaseResult onDevice(Device device, Queue queue, Resources res, List<HostTensor> hostIn, List<double[]> expected) {
        List<Kernel> kernels = new ArrayList<>();
        for (OpSpec s : steps) {
            try {
                kernels.add(res.add(device.prepare(s)));
            } catch (UnsupportedOpException e) {
                return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say "
                        + device.capabilities().support(s).level() + " for " + s + ", but prepare threw UnsupportedOpException: "
                        + e.getMessage());
            }
        }
        List<Fence> fences = new ArrayList<>();
        List<DeviceBuffer> in = new ArrayList<>();
        for (HostTensor h : hostIn) {
            DeviceBuffer b = res.add(device.allocate(h.type()));
            fences.add(queue.write(h, b));
            in.add(b);
        }
        List<DeviceBuffer> out = List.of();
        for (int i = 0; i < steps.size(); i++) {
            out = new ArrayList<>();
            for (TensorType t : steps.get(i).outputs()) {
                DeviceBuffer b = res.add(device.allocate(t));
                HostTensor poison = res.add(HostTensor.allocate(t));
                poison.segment().fill((byte) 0xFF);
                fences.add(queue.write(poison, b));
                out.add(b);
            }
            fences.add(queue.dispatch(kernels.get(i), in, out));
            in = List.of(out.getFirst());
        }
        List<HostTensor> results = new ArrayList<>();
        for (DeviceBuffer b : out) {
            HostTensor h = res.add(HostTensor.allocate(b.type()));
            fences.add(queue.read(b, h));
            results.add(h);
        }
        // In queue order, so that the first failure reported is the root one, not a later task refused because of it.
        for (Fence f : fences) {
            await(f, "the case's work");
        }
        await(queue.marker(), "the case's work");
        return compare(results, expected);
    }

    private CaseResult compare(List<HostTensor> results, List<double[]> expected) {
        OpSpec last = steps.getLast();
        double maxAbs = 0;
        double maxRel = 0;
        StringBuilder detail = new StringBuilder();
        for (int i = 0; i < results.size(); i++) {
            HostTensor h = results.get(i);
            String prefix = results.size() > 1 ? "output " + i + ": " : "";
            if (h.dtype() == DType.BOOL) {
                for (long j = 0; j < h.numel(); j++) {
                    byte b = h.segment().get(ValueLayout.JAVA_BYTE, j);
                    if (b != 0 && b != 1) {
                        detail.append(detail.isEmpty() ? "" : "; ").append(prefix).append("bool element ").append(j)
                                .append(" holds byte ").append(b & 0xff).append(", must be 0 or 1");
                        break;
                    }
                }
            }
            Comparison c = Comparison.of(h.toDoubleArray(), expected.get(i), Tolerances.of(last.op(), h.dtype()));
            maxAbs = Math.max(maxAbs, c.maxAbsError());
            maxRel = Math.max(maxRel, c.maxRelError());
            if (!c.ok()) {
                detail.append(detail.isEmpty() ? "" : "; ").append(prefix).append(c.detail());
            }
        }
        return result(detail.isEmpty() ? Outcome.PASSED : Outcome.FAILED, maxAbs, maxRel, detail.toString());
    }

    private CaseResult unsupported(Device device, OpSpec s, Support support) {
        try (Kernel k = device.prepare(s)) {
            return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say UNSUPPORTED (" + support.reason() + ") for "
                    + s + ", but prepare succeeded with " + k + "; it must throw UnsupportedOpException");
        } catch (UnsupportedOpException e) {
            return result(Outcome.UNSUPPORTED, Double.NaN, Double.NaN, support.reason());
        } catch (RuntimeException e) {
            return result(Outcome.FAILED, Double.NaN, Double.NaN, "capabilities say UNSUPPORTED for " + s
                    + ", but prepare threw " + describe(e) + " instead of UnsupportedOpException");
        }
    }

    /** Waits for everything queued so far, so the case's buffers can be freed; failures of that work are already recorded. */
    private void drain(Queue queue, Resources res, CaseResult r) {
        try {
            if (!queue.marker().await(TIMEOUT)) {
                res.abandon();
                throw new QueueStuckException(r.outcome() == Outcome.FAILED ? r : result(Outcome.FAILED, Double.NaN,
                        Double.NaN, "queued work did not finish within " + TIMEOUT.toSeconds() + " s"));
            }
        } catch (QueueStuckException e) {
            throw e;
        } catch (RuntimeException e) {
            // The queue reported a failure of this case's work, which the result already carries.
        }
    }

    private void await(Fence f, String what) {
        if (!f.await(TIMEOUT)) {
            throw new QueueStuckException(result(Outcome.FAILED, Double.NaN, Double.NaN,
                    what + " did not finish within " + TIMEOUT.toSeconds() + " s"));
        }
    }

    CaseResult result(Outcome outcome, double maxAbs, double maxRel, String detail) {
        return new CaseResult(id, op, dtype, shape, outcome, maxAbs, maxRel, detail);
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        String s = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return e.getCause() != null && e.getCause() != e && m != null && !m.contains(String.valueOf(e.getCause().getMessage()))
                ? s + " (cause: " + e.getCause() + ")" : s;
    }
}
