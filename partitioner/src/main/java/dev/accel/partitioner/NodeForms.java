package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The forms of a node per precision: its spec with float32 tensors narrowed to float16, and which
 * of its inputs and outputs change dtype. A node has a float16 form when narrowing every float32
 * input (or, failing that, only the first, as for QuantizeLinear, whose scale stays float32) gives
 * a valid spec whose every float32 output became float16. Reshape and Identity are views: every
 * device runs them without a kernel ({@link dev.accel.hal.DeviceBuffer#view}).
 */
final class NodeForms {
    /** Form indices of a value: as the source graph has it, narrowed to float16, quantized. */
    static final int SOURCE = 0;
    static final int HALF = 1;
    static final int QUANT = 2;
    static final int FORMS = 3;

    private NodeForms() {
    }

    /**
     * One form of a node.
     *
     * @param precision its precision
     * @param spec the spec it runs as: for a lowered form, its main kernel's (the one the plan's
     *     node of the source name runs; claims show it)
     * @param inputForms per present input (in spec order; for a lowered form, per node input), the
     *     form of the value it reads (for a constant, the form its bytes are counted in)
     * @param outputForms per output, the form of the value it writes
     * @param parts empty when the node runs as {@code spec} on its own inputs; else the kernels it
     *     is lowered to, in order, the last writing the node's outputs (int8 forms: QLinearConv
     *     with derived weights, or an integer kernel followed by its dequantization)
     */
    record Form(Precision precision, OpSpec spec, int[] inputForms, int[] outputForms, List<Part> parts) {
        Form(Precision precision, OpSpec spec, int[] inputForms, int[] outputForms) {
            this(precision, spec, inputForms, outputForms, List.of());
        }

        /** The kernels this form runs: its parts, or its spec alone. */
        List<OpSpec> specs() {
            return parts.isEmpty() ? List.of(spec) : parts.stream().map(Part::spec).toList();
        }
    }

    /**
     * One kernel of a lowered form.
     *
     * @param spec what it runs
     * @param suffix names its node and result in the plan's graph ({@code node~suffix}); the part
     *     whose spec is the form's main spec takes the node's own name
     * @param args per spec input, where it comes from
     */
    record Part(OpSpec spec, String suffix, List<Arg> args) {
    }

    /** Where an input of a {@link Part} comes from. */
    sealed interface Arg permits In, Derived, Prev {
    }

    /** The node's input at {@code index}, in the form the form's {@code inputForms} gives. */
    record In(int index) implements Arg {
    }

    /** A constant the partitioner derives (quantized weights, scales, zero points), made on first use. */
    record Derived(String suffix, TensorType type, Supplier<Constant> value) implements Arg {
    }

    /** The (single) output of an earlier part. */
    record Prev(int part) implements Arg {
    }

    /**
     * How a target supports a form: every part must run (Reshape and Identity are views every
     * target runs); the weakest part's support, naming the part when more than one.
     */
    static Support support(Form f, Capabilities caps) {
        Support worst = Support.nativeSupport();
        List<OpSpec> specs = f.specs();
        for (OpSpec s : specs) {
            if (isView(s.op())) {
                continue;
            }
            Support x = caps.support(s);
            if (!x.runnable()) {
                return specs.size() == 1 ? x : Support.unsupported(s.op().name() + " (part of its "
                        + f.precision().label() + " form): " + x.reason());
            }
            if (x.level() == Support.Level.EMULATED && worst.level() == Support.Level.NATIVE) {
                worst = specs.size() == 1 ? x : Support.emulated(s.op().name() + ": " + x.reason());
            }
        }
        return worst;
    }

    /** True for ops every device runs as a buffer view. */
    static boolean isView(Op op) {
        return op instanceof Reshape || op instanceof Identity;
    }

    /** The node's spec as the source graph has it. */
    static Form source(OpSpec s) {
        return new Form(Precision.FP32, s, new int[s.inputs().size()], new int[s.outputs().size()]);
    }

    /** The float16 form of a node whose source spec is {@code s}, or null with the reason in {@code why[0]}. */
    static Form half(OpSpec s, String[] why) {
        boolean anyFloat = false;
        for (TensorType t : s.outputs()) {
            anyFloat |= t.dtype() == DType.F32;
        }
        if (!anyFloat) {
            why[0] = "it produces no float32 tensor to narrow";
            return null;
        }
        String first = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            List<TensorType> in = new ArrayList<>();
            int[] inForms = new int[s.inputs().size()];
            for (int i = 0; i < s.inputs().size(); i++) {
                TensorType t = s.inputs().get(i);
                boolean narrow = t.dtype() == DType.F32 && (attempt == 0 || i == 0);
                in.add(narrow ? t.withDType(DType.F16) : t);
                inForms[i] = narrow ? HALF : SOURCE;
            }
            try {
                OpSpec h = OpSpec.of(s.op(), in);
                int[] outForms = new int[h.outputs().size()];
                boolean ok = true;
                for (int j = 0; j < outForms.length; j++) {
                    DType src = s.outputs().get(j).dtype();
                    DType got = h.outputs().get(j).dtype();
                    if (src == DType.F32 && got != DType.F16) {
                        ok = false;
                    }
                    outForms[j] = src == DType.F32 ? HALF : SOURCE;
                }
                if (ok) {
                    return new Form(Precision.FP16, h, inForms, outForms);
                }
                if (first == null) {
                    first = s.op().name() + " keeps a float32 output when its inputs are float16";
                }
            } catch (InvalidArgumentException e) {
                if (first == null) {
                    first = e.getMessage();
                }
            }
        }
        why[0] = "no float16 form: " + first;
        return null;
    }

    /** The dtype of a value of source type {@code t} in form {@code k}. */
    static DType dtypeOf(DType source, int k, DType quant) {
        return switch (k) {
            case SOURCE -> source;
            case HALF -> DType.F16;
            default -> quant;
        };
    }
}
