/**
 * Execution of plans across devices. A {@link dev.accel.runtime.Session} owns, per input shape, a
 * {@link dev.accel.partitioner.Plan} made ready on the devices: kernels prepared, weights uploaded
 * once, memory planned by tensor lifetime ({@link dev.accel.runtime.MemoryPlan}), and for each
 * concurrent run its own compute and transfer queue per device. A run queues the plan's steps in
 * order, joined across queues and devices by fences only where data flows, so independent work on
 * different devices overlaps. A device that fails mid-run is dropped, its work re-placed on the
 * others and the run repeated ({@link dev.accel.runtime.FallbackEvent}); traces come out in the
 * Chrome trace-event format ({@link dev.accel.runtime.Trace}). {@link dev.accel.runtime.Calibrator}
 * measures device profiles, and {@link dev.accel.runtime.KernelTimer} gives the partitioner's
 * measured mode.
 *
 * <p>Devices are reached only through hal-api; backends are never named here.
 */
package dev.accel.runtime;
