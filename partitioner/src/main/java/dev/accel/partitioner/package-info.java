/**
 * Placement of a graph across devices. {@link dev.accel.partitioner.Partitioner#plan} takes a
 * resolved {@link dev.accel.graph.Graph}, the {@link dev.accel.partitioner.Target}s (each a
 * device's {@link dev.accel.hal.Capabilities} and {@link dev.accel.hal.DeviceProfile}) and the
 * application's {@link dev.accel.partitioner.Preferences}, and returns an immutable
 * {@link dev.accel.partitioner.Plan}.
 *
 * <p>How: every node is claimed by every target in every precision the policy allows
 * ({@link dev.accel.partitioner.Claim}: NATIVE, EMULATED or UNSUPPORTED with the reason, on the
 * node's spec narrowed to float16 where it has such a form); the {@link
 * dev.accel.partitioner.CostModel} prices kernels (the roofline over the profile, or measured
 * times), transfers through host memory, direct device-to-device copies (one copy where either
 * device's buffers are host-addressable) and conversions; the search simulates the runtime's
 * per-device queues to estimate the end-to-end latency of a placement, so overlap counts (except
 * between devices of CPU kind, which take turns on the host's cores), and minimises it: exactly (branch and bound) on small graphs, by list scheduling and local refinement
 * on large ones. The plan inserts one conversion per value and dtype where a tensor changes dtype,
 * one transfer per value and destination, groups nodes into acyclic regions, and explains itself
 * ({@link dev.accel.partitioner.Plan#explain()}, {@link dev.accel.partitioner.Plan#toDot()}).
 *
 * <p>Nothing here touches a device beyond asking its capabilities (and, in
 * {@link dev.accel.partitioner.Target#of(dev.accel.hal.Device)}, allocating one tiny buffer to probe
 * whether the host can address its buffers): plans can be made for synthetic targets, and the
 * runtime module executes them.
 */
package dev.accel.partitioner;
