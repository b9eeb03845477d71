package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lwjgl.system.MemoryStack.stackPush;

import dev.accel.hal.AccelException;
import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceLostException;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.Shape;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VK10;
import org.lwjgl.vulkan.VkBufferCreateInfo;

/** Discovery, device facts, result-code names, validation plumbing and the capability summary. */
class VulkanBackendTest extends VulkanTestSupport {

    @Test
    void discoveredThroughServiceLoaderWithACheapProbe() {
        Backend b = Backends.find("vulkan").orElseThrow();
        assertInstanceOf(VulkanBackend.class, b);
        Availability a = b.probe();
        assertTrue(a.available(), a.toString());
        assertTrue(a.detail().contains(VulkanLoader.LIBRARY), a.detail());
        assertEquals("vulkan:0", device.info().id());
        assertEquals("vulkan", device.info().backendId());
        assertTrue(device.info().details().containsKey("driver"));
        assertTrue(device.profile().peak(DType.F32) > 0);
    }

    @Test
    void resultCodesHaveNamesAndTypedExceptions() {
        assertEquals("VK_ERROR_OUT_OF_DEVICE_MEMORY (-2)", VulkanResult.name(-2));
        assertEquals("VK_ERROR_DEVICE_LOST (-4)", VulkanResult.name(-4));
        assertEquals("VK_SUCCESS (0)", VulkanResult.name(0));
        assertEquals("VK_ERROR_OUT_OF_POOL_MEMORY (-1000069000)", VulkanResult.name(-1000069000));
        assertEquals("unknown VkResult (-77)", VulkanResult.name(-77));
        assertInstanceOf(OutOfDeviceMemoryException.class, VulkanResult.exception(-2, "vkAllocateMemory"));
        assertInstanceOf(DeviceLostException.class, VulkanResult.exception(-4, "vkQueueSubmit"));
        assertInstanceOf(BackendUnavailableException.class, VulkanResult.exception(-9, "vkCreateInstance"));
        AccelException other = VulkanResult.exception(-13, "vkCreateBuffer of 64 bytes");
        assertEquals("vkCreateBuffer of 64 bytes failed: VK_ERROR_UNKNOWN (-13)", other.getMessage());
        assertDoesNotThrow(() -> VulkanResult.check(0, "nothing"));
    }

    @Test
    void validationLayerIsOnWhenInstalledAndReportsErrors() {
        boolean installed = Files.exists(Path.of("/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json"))
                || Files.exists(Path.of("/etc/vulkan/explicit_layer.d/VkLayer_khronos_validation.json"));
        assertEquals(installed && VulkanInstance.validationRequested(), device.instance().validation());
        if (!device.instance().validation()) {
            return;
        }
        try (MemoryStack stack = stackPush()) {
            // size 0 breaks VUID-VkBufferCreateInfo-size-00912; the messenger must record it
            VkBufferCreateInfo bad = VkBufferCreateInfo.calloc(stack).sType$Default().size(0)
                    .usage(VK10.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
            LongBuffer lp = stack.mallocLong(1);
            int r = VK10.vkCreateBuffer(device.vk(), bad, null, lp);
            if (r == VK10.VK_SUCCESS) {
                VK10.vkDestroyBuffer(device.vk(), lp.get(0), null);
            }
        }
        List<String> msgs = device.validationMessages();
        device.instance().clearValidationMessages();
        assertFalse(msgs.isEmpty(), "the deliberate error was not reported");
        assertTrue(msgs.get(0).contains("00912"), msgs.get(0));
    }

    /** One spec per op of the hal op set, in float32 (8-bit for the quantized ops). */
    static List<OpSpec> oneOfEachOp() {
        TensorType x4 = TensorType.of(DType.F32, 1, 2, 4, 4);
        TensorType m = TensorType.of(DType.F32, 3, 3);
        TensorType v = TensorType.of(DType.F32, 3);
        TensorType q = TensorType.of(DType.F32, 1, 2, 3, 4);
        TensorType i8 = TensorType.of(DType.I8, 3, 3);
        TensorType u8x = TensorType.of(DType.U8, 1, 2, 4, 4);
        TensorType i8w = TensorType.of(DType.I8, 2, 2, 3, 3);
        TensorType s = TensorType.of(DType.F32);
        TensorType zu = TensorType.of(DType.U8);
        TensorType zi = TensorType.of(DType.I8);
        return List.of(
                OpSpec.of(new MatMul(), m, m), OpSpec.of(Gemm.plain(), m, m, v),
                OpSpec.of(Conv2d.of(1, 1, 1), x4, TensorType.of(DType.F32, 2, 2, 3, 3)),
                OpSpec.of(Pool2d.max(2, 2, 0), x4), OpSpec.of(new GlobalAveragePool(), x4),
                OpSpec.of(new BatchNorm(1e-5f), x4, TensorType.of(DType.F32, 2), TensorType.of(DType.F32, 2),
                        TensorType.of(DType.F32, 2), TensorType.of(DType.F32, 2)),
                OpSpec.of(new LayerNorm(-1, 1e-5f), m, v), OpSpec.of(new Lrn(3, 1e-4f, 0.75f, 1f), x4),
                OpSpec.of(new Softmax(-1), m), OpSpec.of(new ReduceMean(List.of(1), true), m), OpSpec.of(new Identity(), m),
                OpSpec.of(new Sum(), m, v, m), OpSpec.of(new Binary(Binary.Kind.ADD), m, v), OpSpec.of(Unary.of(Unary.Kind.GELU), m),
                OpSpec.of(new Transpose(List.of()), m), OpSpec.of(new Reshape(Shape.of(9)), m), OpSpec.of(new Concat(0), m, m),
                OpSpec.of(new Slice(List.of(1), List.of(3), List.of(), List.of()), m), OpSpec.of(new Split(1, List.of(1, 2)), m),
                OpSpec.of(new Pad(Pad.Mode.REFLECT, List.of(1, 1, 1, 1), 0f), m), OpSpec.of(Attention.standard(), q, q, q),
                OpSpec.of(new QuantizeLinear(0), m, s, zi), OpSpec.of(new DequantizeLinear(0), i8, s, zi),
                OpSpec.of(new MatMulInteger(), i8, i8), OpSpec.of(new QLinearMatMul(), i8, s, zi, i8, s, zi, s, zu),
                OpSpec.of(new ConvInteger(Conv2d.simple()), u8x, i8w),
                OpSpec.of(new QLinearConv(Conv2d.simple()), u8x, s, zu, i8w, s, zi, s, zi), OpSpec.of(new Cast(DType.F16), m));
    }

    @Test
    void wholeOpSetIsNativeInFloat32AndEightBit() {
        Set<Class<?>> ops = new HashSet<>();
        for (OpSpec spec : oneOfEachOp()) {
            Support s = device.capabilities().support(spec);
            if (device.features().byteStorage() || !spec.toString().contains("int8")) {
                assertEquals(Support.Level.NATIVE, s.level(), spec + ": " + s);
            }
            ops.add(spec.op().getClass());
        }
        // FusedConv has no Vulkan kernel: unsupported, with the reason, so plans keep the Conv and its activation apart.
        OpSpec fused = OpSpec.of(new FusedConv(Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU)),
                TensorType.of(DType.F32, 1, 2, 4, 4), TensorType.of(DType.F32, 2, 2, 3, 3));
        Support s = device.capabilities().support(fused);
        assertEquals(Support.Level.UNSUPPORTED, s.level());
        assertTrue(s.reason().contains("no fused convolution kernel"), s.reason());
        assertThrows(UnsupportedOpException.class, () -> device.prepare(fused));
        ops.add(fused.op().getClass());
        assertEquals(dev.accel.hal.op.Op.class.getPermittedSubclasses().length, ops.size(), "one spec per op record");
    }
}
