/**
 * The OpenCL backend: every OpenCL device of every platform as an accel {@link dev.accel.hal.Device},
 * through JOCL. {@link dev.accel.backend.opencl.OclBackend} is the only public type; it is found
 * through {@code META-INF/services/dev.accel.hal.Backend}.
 *
 * <p>Kernels are OpenCL C sources under {@code dev/accel/backend/opencl/*.cl}, built per device on
 * first use and cached in memory and on disk. Float32 and the 8-bit integer ops are native; float16
 * is stored as half and computed in float32 (vload_half / vstore_half), bfloat16 is stored as 16
 * bits and computed in float32. Matrix products use a local-memory tiled GEMM on devices with
 * dedicated local memory and a register-blocked GEMM on devices whose local memory is global
 * memory (CPU OpenCL such as PoCL).
 */
package dev.accel.backend.opencl;
