/**
 * The Vulkan compute backend ({@code "vulkan"}), through LWJGL 3.3.6.
 *
 * <h2>Shape</h2>
 * {@link dev.accel.backend.vulkan.VulkanBackend} probes for {@code libvulkan.so.1} and a driver
 * manifest (file checks only) and opens every physical device with Vulkan 1.2, timeline semaphores
 * and a compute queue as {@code vulkan:0}, {@code vulkan:1}, ... Each device enables the optional
 * features it has among 16- and 8-bit storage, float16, int8, int16 and int64 arithmetic.
 *
 * <h2>Shaders: compiled at run time, cached by hash</h2>
 * GLSL compute shaders live in {@code src/main/resources/dev/accel/backend/vulkan/shaders}. A
 * kernel's variant (shader, per-binding dtype, defines) is assembled into one source
 * ({@code VulkanGlsl}) and compiled to SPIR-V with shaderc at {@link dev.accel.hal.Device#prepare}
 * time ({@code VulkanShaders}), cached by the SHA-256 of the source in memory and on disk
 * ({@code -Daccel.vulkan.cache=<dir>}, default {@code ~/.cache/accel/vulkan}, {@code off} to
 * disable). Run-time compilation was chosen over build-time compilation because each shader has
 * many dtype variants that plain {@code #define}s produce, the build machine needs no shader
 * compiler, and the disk cache makes the cost a one-off. Work-group and GEMM tile sizes are
 * specialisation constants, op kinds too; shapes are push constants, so one pipeline serves every
 * shape. Pipelines are shared per device and created through a VkPipelineCache saved next to the
 * SPIR-V cache.
 *
 * <h2>Numbers</h2>
 * Arithmetic is float32 (int32 for the integer ops). Float16 and bfloat16 tensors are stored as
 * 16-bit integers and converted in the shader with round-to-nearest-even, so results do not depend
 * on the driver's conversion rounding. Shaders request SignedZeroInfNanPreserve where the device
 * supports it, so NaN and infinities follow IEEE 754 as ONNX expects. Float16 is NATIVE on devices
 * with shaderFloat16 (and 16-bit storage), EMULATED (stored as half, computed in float32) on those
 * with storage only; bfloat16 is always EMULATED; 8-bit ops need shaderInt8 and 8-bit storage;
 * layout ops move raw bytes of any dtype.
 *
 * <h2>Memory and commands</h2>
 * {@code VulkanMemory} sub-allocates tensors from 64 MiB blocks; unified devices (lavapipe,
 * integrated GPUs) keep tensors in mapped host-coherent memory. {@code VulkanQueue} records
 * consecutive commands into one command buffer with barriers only between dependent commands and
 * submits on a read, a marker, a fence poll or await, or {@code flush()}; each submission signals
 * the queue's timeline semaphore, which is what a {@link dev.accel.hal.Fence} waits on.
 *
 * <h2>Testing</h2>
 * With {@code -Daccel.vulkan.validation=true} (the module's tests set it) the Khronos validation
 * layer runs with synchronization validation, and any warning or error fails the test.
 */
package dev.accel.backend.vulkan;
