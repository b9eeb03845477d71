package dev.accel.backend.vulkan;

import dev.accel.hal.DType;
import dev.accel.hal.Support;
import java.util.List;

/**
 * What a kernel records, decided from its spec and the device's features alone (no Vulkan objects),
 * so that {@link dev.accel.hal.Capabilities#support} plans and throws the plan away cheaply. A plan
 * is a list of steps (compute dispatches and buffer copies) over references to the kernel's inputs,
 * outputs and per-dispatch scratch buffers.
 *
 * @param steps in recording order; the queue inserts the barriers between dependent steps
 * @param scratchBytes per scratch buffer, allocated per dispatch and freed when its batch completes
 * @param support NATIVE, or EMULATED with the reason
 */
record VulkanPlan(List<Step> steps, List<Long> scratchBytes, Support support) {
    VulkanPlan {
        steps = List.copyOf(steps);
        scratchBytes = List.copyOf(scratchBytes);
    }

    /** Where a reference points. */
    enum Source { INPUT, OUTPUT, SCRATCH }

    /**
     * A byte range of one of the kernel's buffers.
     *
     * @param dtype the element type the step reads or writes there
     */
    record Ref(Source source, int index, DType dtype, long offset, long length) {
    }

    /** One recorded command. */
    sealed interface Step permits Dispatch, Copy {
    }

    /**
     * A compute dispatch of a shader variant.
     *
     * @param spec specialisation constants by constant_id (0..2 are the local sizes)
     * @param refs one per binding of the variant, in binding order
     * @param push the push-constant words (at most 32)
     */
    record Dispatch(VulkanGlsl.Variant variant, int[] spec, List<Ref> refs, int[] push, int gx, int gy, int gz)
            implements Step {
        Dispatch {
            refs = List.copyOf(refs);
        }

        boolean writes(int binding) {
            return variant.bindings().get(binding).access() != VulkanGlsl.Access.READ;
        }

        boolean reads(int binding) {
            return variant.bindings().get(binding).access() != VulkanGlsl.Access.WRITE;
        }
    }

    /** vkCmdCopyBuffer of {@code bytes} bytes from one reference to another. */
    record Copy(Ref src, Ref dst, long bytes) implements Step {
    }
}
