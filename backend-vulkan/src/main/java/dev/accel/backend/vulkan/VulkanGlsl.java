package dev.accel.backend.vulkan;

import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Assembles the GLSL source of one compute shader variant: a preamble (version, extensions, the
 * float-controls mode that keeps NaN and infinity, defines), {@code common.glsl}, one storage
 * buffer declaration per binding with typed accessors, then the shader body from
 * {@code src/main/resources/dev/accel/backend/vulkan/shaders/<name>.comp}. The local size is
 * always specialisation constants 0, 1 and 2, declared in the preamble.
 *
 * <p>Accessors per binding {@code x}: float tensors (F32, F16, BF16) get {@code float ld_x(uint)}
 * and {@code void st_x(uint, float)}; I8, U8, I32 and BOOL get {@code int ldi_x(uint)} and
 * {@code void sti_x(uint, int)} (stores truncate; shaders saturate first); I64 gets
 * {@code ldl_x} / {@code stl_x} over {@code int64_t}. A raw binding is an array {@code x_d[]} of
 * 1, 2, 4 or 8-byte elements (uint8_t, uint16_t, uint, uvec2), for ops that only move bytes. Each
 * binding also defines {@code HAS_x}, {@code DT_x} and {@code IS_FLOAT_x}.
 */
final class VulkanGlsl {
    /** How a shader uses a binding. */
    enum Access { READ, WRITE, READ_WRITE }

    /** One storage buffer of a shader: its name in GLSL, element type, and whether it is raw bytes. */
    record Binding(String name, DType dtype, boolean raw, Access access) {
    }

    /**
     * A shader variant: the body's resource name, its bindings in binding order, and extra
     * defines. Equal variants have equal sources.
     */
    record Variant(String shader, List<Binding> bindings, Map<String, String> defines) {
        Variant {
            bindings = List.copyOf(bindings);
            defines = Map.copyOf(new java.util.TreeMap<>(defines));
        }
    }

    private static final Map<String, String> RESOURCES = new ConcurrentHashMap<>();

    private VulkanGlsl() {
    }

    /** The complete source of a variant for a device with or without the NaN-preserving float mode. */
    static String source(Variant v, boolean nanPreserve) {
        StringBuilder sb = new StringBuilder(8192);
        sb.append("#version 450\n");
        sb.append("#extension GL_EXT_shader_explicit_arithmetic_types : enable\n");
        sb.append("#extension GL_EXT_shader_16bit_storage : enable\n");
        sb.append("#extension GL_EXT_shader_8bit_storage : enable\n");
        if (nanPreserve) {
            // SignedZeroInfNanPreserve (execution mode 4461, capability 4466) for 32-bit floats, so
            // NaN and infinities behave as IEEE 754 says (ONNX semantics rely on it).
            sb.append("#extension GL_EXT_spirv_intrinsics : enable\n");
            sb.append("spirv_execution_mode(extensions = [\"SPV_KHR_float_controls\"], capabilities = [4466], 4461, 32);\n");
        }
        // Declared before common.glsl so gl_WorkGroupSize is the specialised size everywhere.
        sb.append("layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n");
        for (DType d : DType.values()) {
            sb.append("#define DT_").append(d.name()).append(' ').append(d.ordinal()).append('\n');
        }
        new java.util.TreeMap<>(v.defines()).forEach((k, val) -> sb.append("#define ").append(k).append(' ').append(val).append('\n'));
        for (Binding b : v.bindings()) {
            sb.append("#define HAS_").append(b.name()).append(" 1\n");
            sb.append("#define DT_").append(b.name()).append(' ').append(b.dtype().ordinal()).append('\n');
            sb.append("#define IS_FLOAT_").append(b.name()).append(' ').append(b.dtype().isFloat() ? 1 : 0).append('\n');
        }
        sb.append(resource("common.glsl"));
        for (int i = 0; i < v.bindings().size(); i++) {
            declare(sb, i, v.bindings().get(i));
        }
        sb.append("#line 1\n");
        sb.append(resource(v.shader() + ".comp"));
        return sb.toString();
    }

    private static void declare(StringBuilder sb, int index, Binding b) {
        String qual = switch (b.access()) {
            case READ -> "readonly ";
            case WRITE -> "writeonly ";
            case READ_WRITE -> "";
        };
        String n = b.name();
        String stor = b.raw() ? rawType(b.dtype().byteSize()) : storageType(b.dtype());
        sb.append("layout(std430, set = 0, binding = ").append(index).append(") ").append(qual).append("buffer Buf_")
                .append(n).append(" { ").append(stor).append(' ').append(n).append("_d[]; };\n");
        if (b.raw()) {
            return;
        }
        boolean read = b.access() != Access.WRITE;
        boolean write = b.access() != Access.READ;
        String d = n + "_d[i]";
        switch (b.dtype()) {
            case F32 -> accessors(sb, n, "float", "ld_", "st_", read ? d : null, write ? d + " = v;" : null);
            case F16 -> accessors(sb, n, "float", "ld_", "st_", read ? "f16_to_f32(uint(" + d + "))" : null,
                    write ? d + " = uint16_t(f32_to_f16(v));" : null);
            case BF16 -> accessors(sb, n, "float", "ld_", "st_", read ? "bf16_to_f32(uint(" + d + "))" : null,
                    write ? d + " = uint16_t(f32_to_bf16(v));" : null);
            case I8 -> accessors(sb, n, "int", "ldi_", "sti_", read ? "int(" + d + ")" : null,
                    write ? d + " = int8_t(v);" : null);
            case U8 -> accessors(sb, n, "int", "ldi_", "sti_", read ? "int(uint(" + d + "))" : null,
                    write ? d + " = uint8_t(uint(v));" : null);
            case BOOL -> accessors(sb, n, "int", "ldi_", "sti_", read ? "(" + d + " != uint8_t(0) ? 1 : 0)" : null,
                    write ? d + " = uint8_t(v != 0 ? 1u : 0u);" : null);
            case I32 -> accessors(sb, n, "int", "ldi_", "sti_", read ? d : null, write ? d + " = v;" : null);
            case I64 -> accessors(sb, n, "int64_t", "ldl_", "stl_", read ? d : null, write ? d + " = v;" : null);
        }
    }

    private static void accessors(StringBuilder sb, String n, String type, String ld, String st, String load, String store) {
        if (load != null) {
            sb.append(type).append(' ').append(ld).append(n).append("(uint i) { return ").append(load).append("; }\n");
        }
        if (store != null) {
            sb.append("void ").append(st).append(n).append("(uint i, ").append(type).append(" v) { ").append(store).append(" }\n");
        }
    }

    private static String storageType(DType d) {
        return switch (d) {
            case F32 -> "float";
            case F16, BF16 -> "uint16_t";
            case I8 -> "int8_t";
            case U8, BOOL -> "uint8_t";
            case I32 -> "int";
            case I64 -> "int64_t";
        };
    }

    /** The GLSL type that holds one raw element of {@code bytes} bytes. */
    static String rawType(int bytes) {
        return switch (bytes) {
            case 1 -> "uint8_t";
            case 2 -> "uint16_t";
            case 4 -> "uint";
            case 8 -> "uvec2";
            default -> throw new IllegalArgumentException("no raw element of " + bytes + " bytes");
        };
    }

    static String resource(String name) {
        return RESOURCES.computeIfAbsent(name, n -> {
            String path = "shaders/" + n;
            try (InputStream in = VulkanGlsl.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new AccelException("vulkan: shader resource " + path + " is missing from the backend's jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AccelException("vulkan: cannot read shader resource " + path + ": " + e.getMessage(), e);
            }
        });
    }
}
