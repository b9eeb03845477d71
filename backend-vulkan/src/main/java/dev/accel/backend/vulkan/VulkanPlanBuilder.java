package dev.accel.backend.vulkan;

import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link VulkanPlan} for one spec on one device. The op families call {@link #in},
 * {@link #out}, {@link #scratch} for buffer references, {@link #read} / {@link #write} to bind
 * them (which checks the device's storage features for the dtype and the binding size limit),
 * and {@link #dispatch} / {@link #copy} to add steps. {@link #unsupported} aborts planning with
 * a reason.
 */
final class VulkanPlanBuilder {
    /** Planning stopped: the device cannot run the spec, for the given reason. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Work-group size of the one-dimensional elementwise shaders. */
    static final int WG = 128;
    /** Largest group count used along x; every device allows at least 65535. */
    static final int MAX_GROUPS = 65535;

    final OpSpec spec;
    final VulkanFeatures features;
    private final List<VulkanPlan.Step> steps = new ArrayList<>();
    private final List<Long> scratch = new ArrayList<>();
    private final Set<String> emulated = new LinkedHashSet<>();

    VulkanPlanBuilder(OpSpec spec, VulkanFeatures features) {
        this.spec = spec;
        this.features = features;
    }

    /** A binding of a shader variant to a buffer reference. */
    record Bound(VulkanGlsl.Binding binding, VulkanPlan.Ref ref) {
    }

    TensorType inType(int i) {
        return spec.inputs().get(i);
    }

    TensorType outType(int i) {
        return spec.outputs().get(i);
    }

    VulkanPlan.Ref in(int i) {
        TensorType t = inType(i);
        return new VulkanPlan.Ref(VulkanPlan.Source.INPUT, i, t.dtype(), 0, t.byteSize());
    }

    VulkanPlan.Ref out(int i) {
        TensorType t = outType(i);
        return new VulkanPlan.Ref(VulkanPlan.Source.OUTPUT, i, t.dtype(), 0, t.byteSize());
    }

    /** A new per-dispatch scratch buffer of {@code numel} elements of {@code dtype}. */
    VulkanPlan.Ref scratch(DType dtype, long numel) {
        long bytes = numel * dtype.byteSize();
        scratch.add(bytes);
        return new VulkanPlan.Ref(VulkanPlan.Source.SCRATCH, scratch.size() - 1, dtype, 0, bytes);
    }

    Bound read(String name, VulkanPlan.Ref r) {
        return bind(name, r, false, VulkanGlsl.Access.READ);
    }

    Bound write(String name, VulkanPlan.Ref r) {
        return bind(name, r, false, VulkanGlsl.Access.WRITE);
    }

    Bound readRaw(String name, VulkanPlan.Ref r) {
        return bind(name, r, true, VulkanGlsl.Access.READ);
    }

    Bound writeRaw(String name, VulkanPlan.Ref r) {
        return bind(name, r, true, VulkanGlsl.Access.WRITE);
    }

    private Bound bind(String name, VulkanPlan.Ref r, boolean raw, VulkanGlsl.Access access) {
        requireStorage(r.dtype(), raw);
        if (r.length() > features.maxStorageBufferRange()) {
            unsupported("a " + r.dtype().displayName() + " tensor of " + r.length() + " bytes exceeds the device's maxStorageBufferRange of "
                    + features.maxStorageBufferRange() + " bytes");
        }
        return new Bound(new VulkanGlsl.Binding(name, r.dtype(), raw, access), r);
    }

    /** Checks that shaders can load and store {@code d}; notes EMULATED where arithmetic is widened. */
    void requireStorage(DType d, boolean raw) {
        int bytes = d.byteSize();
        if (bytes == 2 && !features.halfStorage()) {
            unsupported(d.displayName() + " tensors need storageBuffer16BitAccess and shaderInt16, which "
                    + features.name() + " lacks (storage16=" + features.storage16() + ", int16=" + features.shaderInt16() + ")");
        }
        if (bytes == 1 && !features.byteStorage()) {
            unsupported(d.displayName() + " tensors need storageBuffer8BitAccess and shaderInt8, which " + features.name()
                    + " lacks (storage8=" + features.storage8() + ", int8=" + features.shaderInt8() + ")");
        }
        if (raw) {
            return;
        }
        if (d == DType.I64 && !features.shaderInt64()) {
            unsupported("int64 arithmetic needs shaderInt64, which " + features.name() + " lacks");
        }
        if (d == DType.F16 && !features.shaderFloat16()) {
            emulated.add("float16 is stored as half and computed in float32 (the device lacks shaderFloat16)");
        }
        if (d == DType.BF16) {
            emulated.add("bfloat16 is stored as 16 bits and computed in float32 (Vulkan has no bfloat16 arithmetic)");
        }
    }

    /** Aborts planning: the device cannot run this spec. */
    static void unsupported(String reason) {
        throw new Unsupported(reason);
    }

    /**
     * Adds a dispatch; skipped when any group count is 0 (nothing to compute).
     *
     * @param local the local size (x, y, z) followed by further specialisation constants (ids 3, 4, ...)
     */
    void dispatch(String shader, Map<String, String> defines, int[] local, int[] push, int gx, int gy, int gz, Bound... bound) {
        if (gx <= 0 || gy <= 0 || gz <= 0) {
            return;
        }
        if (gx > MAX_GROUPS || gy > MAX_GROUPS || gz > MAX_GROUPS) {
            unsupported(spec.op().name() + " needs " + gx + " x " + gy + " x " + gz + " work groups, more than " + MAX_GROUPS + " along an axis");
        }
        if (bound.length > features.maxStorageBuffersPerStage()) {
            unsupported(shader + " binds " + bound.length + " storage buffers; " + features.name()
                    + " allows " + features.maxStorageBuffersPerStage() + " per shader stage");
        }
        if (push.length > 32) {
            throw new IllegalStateException(shader + ": " + push.length + " push-constant words, at most 32");
        }
        List<VulkanGlsl.Binding> bindings = new ArrayList<>();
        List<VulkanPlan.Ref> refs = new ArrayList<>();
        for (Bound b : bound) {
            bindings.add(b.binding());
            refs.add(b.ref());
        }
        steps.add(new VulkanPlan.Dispatch(new VulkanGlsl.Variant(shader, bindings, defines), local.clone(), refs,
                Arrays.copyOf(push, 32), gx, gy, gz));
    }

    /** A one-dimensional grid-stride dispatch over {@code total} elements with the default work-group size. */
    void dispatch1d(String shader, Map<String, String> defines, int[] extraSpec, int[] push, long total, Bound... bound) {
        int[] local = new int[3 + extraSpec.length];
        local[0] = WG;
        local[1] = 1;
        local[2] = 1;
        System.arraycopy(extraSpec, 0, local, 3, extraSpec.length);
        dispatch(shader, defines, local, push, groups(total, WG), 1, 1, bound);
    }

    /** Groups for a grid-stride loop over {@code total} items: 0 for none, else at most {@link #MAX_GROUPS}. */
    static int groups(long total, int perGroup) {
        if (total <= 0) {
            return 0;
        }
        return (int) Math.min(MAX_GROUPS, (total + perGroup - 1) / perGroup);
    }

    /** Adds a buffer copy; skipped for zero bytes. */
    void copy(VulkanPlan.Ref src, VulkanPlan.Ref dst, long bytes) {
        if (bytes > 0) {
            steps.add(new VulkanPlan.Copy(src, dst, bytes));
        }
    }

    /** Checks an element count fits the shaders' 32-bit unsigned indexing. */
    void requireIndexable(long numel, String what) {
        if (numel >= (1L << 31)) {
            unsupported(what + " has " + numel + " elements; the Vulkan shaders index with 32 bits (at most 2^31 - 1)");
        }
    }

    VulkanPlan build() {
        Support s = emulated.isEmpty() ? Support.nativeSupport() : Support.emulated(String.join("; ", emulated));
        return new VulkanPlan(steps, scratch, s);
    }

    /** Push-constant words, appended in the order the shader's block declares them. */
    static final class Push {
        private final int[] words = new int[32];
        private int n;

        Push u(long v) {
            if (v < 0 || v > 0xffffffffL) {
                throw new Unsupported("a shape value " + v + " does not fit the shaders' 32-bit unsigned push constants");
            }
            words[n++] = (int) v;
            return this;
        }

        Push i(long v) {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new Unsupported("an offset " + v + " does not fit the shaders' 32-bit signed push constants");
            }
            words[n++] = (int) v;
            return this;
        }

        Push f(float v) {
            words[n++] = Float.floatToRawIntBits(v);
            return this;
        }

        /** {@code len} unsigned words from {@code v}, zero-padded. */
        Push uarr(long[] v, int len) {
            for (int k = 0; k < len; k++) {
                u(k < v.length ? v[k] : 0);
            }
            return this;
        }

        /** {@code len} signed words from {@code v}, zero-padded. */
        Push iarr(long[] v, int len) {
            for (int k = 0; k < len; k++) {
                i(k < v.length ? v[k] : 0);
            }
            return this;
        }

        int[] words() {
            return Arrays.copyOf(words, n);
        }
    }
}
