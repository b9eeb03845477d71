package dev.accel.backend.cuda;

import dev.accel.hal.InvalidArgumentException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of a C struct that a kernel takes by value, as the CUDA compiler lays it out on a
 * 64-bit target: each field aligned to its own size, the whole padded to its largest alignment.
 * Every kernel of this backend takes exactly one such struct (see {@code kernels/common.cuh});
 * {@link CudaStructs} declares them in the same field order as the {@code .cu} sources, and a test
 * parses the sources to check that both sides agree, while {@code ACCEL_STRUCT_SIZE} in the
 * sources makes nvcc check the size computed here.
 *
 * <p>Immutable and thread-safe. {@link #pack()} starts a {@link CudaArgs.Builder} over it.
 */
final class CudaStruct {
    /** Field types: device pointers, 64-bit integers (also raw 64-bit values), 32-bit integers and floats. */
    enum Type {
        PTR(8, "ptr"), I64(8, "i64"), I32(4, "i32"), F32(4, "f32");

        final int size;
        final String spec;

        Type(int size, String spec) {
            this.size = size;
            this.spec = spec;
        }

        static Type ofSpec(String s) {
            for (Type t : values()) {
                if (t.spec.equals(s)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown struct field type '" + s + "' (ptr, i64, i32, f32)");
        }
    }

    /** One field: {@code count > 1} for an array. */
    record Field(String name, Type type, int count, int offset) {
        /** The field as a spec string, {@code "i64 dims[8]"} or {@code "ptr x"}. */
        String spec() {
            return type.spec + " " + name + (count > 1 ? "[" + count + "]" : "");
        }
    }

    private final String name;
    private final List<Field> fields;
    private final Map<String, Field> byName;
    private final int size;

    private CudaStruct(String name, List<Field> fields, int size) {
        this.name = name;
        this.fields = List.copyOf(fields);
        this.size = size;
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : fields) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalArgumentException("struct " + name + " declares field " + f.name() + " twice");
            }
        }
        this.byName = m;
    }

    /**
     * A struct from field specs in declaration order, each {@code "type name"} or
     * {@code "type name[count]"} with type one of ptr, i64, i32, f32.
     */
    static CudaStruct of(String name, String... specs) {
        List<Field> fields = new ArrayList<>();
        int offset = 0;
        int align = 1;
        for (String spec : specs) {
            String[] parts = spec.trim().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("struct " + name + ": field spec '" + spec + "' is not 'type name'");
            }
            Type t = Type.ofSpec(parts[0]);
            String fieldName = parts[1];
            int count = 1;
            int bracket = fieldName.indexOf('[');
            if (bracket >= 0) {
                count = Integer.parseInt(fieldName.substring(bracket + 1, fieldName.length() - 1));
                fieldName = fieldName.substring(0, bracket);
            }
            offset = alignUp(offset, t.size);
            fields.add(new Field(fieldName, t, count, offset));
            offset += t.size * count;
            align = Math.max(align, t.size);
        }
        return new CudaStruct(name, fields, alignUp(offset, align));
    }

    static int alignUp(int v, int a) {
        return (v + a - 1) / a * a;
    }

    String name() {
        return name;
    }

    /** Size in bytes, padding included: what {@code sizeof} gives in CUDA C. */
    int size() {
        return size;
    }

    List<Field> fields() {
        return fields;
    }

    /** The fields as spec strings, in order. */
    List<String> specs() {
        return fields.stream().map(Field::spec).toList();
    }

    /**
     * The named field.
     *
     * @throws InvalidArgumentException naming the struct and its fields when there is none
     */
    Field field(String fieldName) {
        Field f = byName.get(fieldName);
        if (f == null) {
            throw new InvalidArgumentException("struct " + name + " has no field '" + fieldName + "'; fields: " + byName.keySet());
        }
        return f;
    }

    /** A builder of this struct's bytes, all fields zero. */
    CudaArgs.Builder pack() {
        return new CudaArgs.Builder(this);
    }

    @Override
    public String toString() {
        return "struct " + name + " (" + size + " bytes)";
    }
}
