package dev.accel.backend.vulkan;

import dev.accel.hal.Kernel;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A prepared op: its {@link VulkanPlan} with a pipeline per dispatch step. Pipelines are borrowed
 * from the device's {@link VulkanPipelines} (shared between kernels of equal shader variants), so
 * closing a kernel frees nothing on the device. Recording is done by {@link VulkanQueue}.
 */
final class VulkanKernel implements Kernel {
    private final VulkanDevice device;
    private final OpSpec spec;
    private final VulkanPlan plan;
    private final List<VulkanPipeline> pipelines;
    private volatile boolean closed;

    VulkanKernel(VulkanDevice device, OpSpec spec, VulkanPlan plan) {
        this.device = device;
        this.spec = spec;
        this.plan = plan;
        List<VulkanPipeline> ps = new ArrayList<>();
        for (VulkanPlan.Step s : plan.steps()) {
            if (s instanceof VulkanPlan.Dispatch d) {
                ps.add(device.pipelines().get(d.variant(), d.spec()));
            }
        }
        this.pipelines = List.copyOf(ps);
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public VulkanDevice device() {
        return device;
    }

    VulkanPlan plan() {
        return plan;
    }

    boolean isClosed() {
        return closed;
    }

    /** Records the plan's steps into {@code batch} over these buffers; scratch memory is freed with the batch. */
    void record(VulkanBatch batch, VulkanAllocation[] in, VulkanAllocation[] out) {
        VulkanAllocation[] scratch = new VulkanAllocation[plan.scratchBytes().size()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = device.memory().allocate(plan.scratchBytes().get(i), VulkanMemory.Pool.DEVICE,
                    "scratch of " + spec.op().name());
            batch.transients.add(scratch[i]);
        }
        int p = 0;
        for (VulkanPlan.Step s : plan.steps()) {
            switch (s) {
                case VulkanPlan.Copy c -> batch.copy(resolve(c.src(), in, out, scratch), c.src().offset(),
                        resolve(c.dst(), in, out, scratch), c.dst().offset(), c.bytes());
                case VulkanPlan.Dispatch d -> {
                    int n = d.refs().size();
                    VulkanAllocation[] allocs = new VulkanAllocation[n];
                    long[] offsets = new long[n];
                    long[] lengths = new long[n];
                    boolean[] reads = new boolean[n];
                    boolean[] writes = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        VulkanPlan.Ref r = d.refs().get(i);
                        allocs[i] = resolve(r, in, out, scratch);
                        offsets[i] = r.offset();
                        lengths[i] = r.length();
                        reads[i] = d.reads(i);
                        writes[i] = d.writes(i);
                    }
                    batch.dispatch(pipelines.get(p++), allocs, offsets, lengths, reads, writes, d.push(), d.gx(), d.gy(), d.gz());
                }
            }
        }
    }

    private static VulkanAllocation resolve(VulkanPlan.Ref r, VulkanAllocation[] in, VulkanAllocation[] out,
                                            VulkanAllocation[] scratch) {
        return switch (r.source()) {
            case INPUT -> in[r.index()];
            case OUTPUT -> out[r.index()];
            case SCRATCH -> scratch[r.index()];
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return "VulkanKernel(" + spec + ", " + plan.steps().size() + " steps)";
    }
}
