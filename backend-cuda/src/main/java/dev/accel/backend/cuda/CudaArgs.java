package dev.accel.backend.cuda;

import dev.accel.hal.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packed argument of one launch: the bytes of a {@link CudaStruct} with every scalar field
 * filled in when the kernel is prepared, and the pointer fields left to {@link #bind} at each
 * dispatch, when the buffers' device addresses are known. Bytes are little-endian, as on every
 * CUDA host.
 *
 * <p>Immutable once built; {@link #bind} returns a fresh array, so one kernel may be dispatched
 * from several threads.
 */
final class CudaArgs {
    private final CudaStruct struct;
    private final byte[] template;
    private final int[] patchOffsets;
    private final CudaRef[] patchRefs;

    private CudaArgs(CudaStruct struct, byte[] template, List<Integer> offsets, List<CudaRef> refs) {
        this.struct = struct;
        this.template = template;
        this.patchOffsets = offsets.stream().mapToInt(Integer::intValue).toArray();
        this.patchRefs = refs.toArray(CudaRef[]::new);
    }

    CudaStruct struct() {
        return struct;
    }

    /** The struct's bytes with every pointer field set to the address {@code resolver} gives for it. */
    byte[] bind(CudaRef.Resolver resolver) {
        byte[] b = template.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < patchOffsets.length; i++) {
            buf.putLong(patchOffsets[i], resolver.address(patchRefs[i]));
        }
        return b;
    }

    /** What the pointer field refers to ({@link CudaRef#NULL} if never set). */
    CudaRef pointer(String field) {
        CudaStruct.Field f = struct.field(field);
        for (int i = 0; i < patchOffsets.length; i++) {
            if (patchOffsets[i] == f.offset()) {
                return patchRefs[i];
            }
        }
        return CudaRef.NULL;
    }

    /** Element {@code index} of an i64 field (or the raw bits of a pointer field's template: 0). */
    long getLong(String field, int index) {
        CudaStruct.Field f = check(field, index, CudaStruct.Type.I64, CudaStruct.Type.PTR);
        return ByteBuffer.wrap(template).order(ByteOrder.LITTLE_ENDIAN).getLong(f.offset() + 8 * index);
    }

    long getLong(String field) {
        return getLong(field, 0);
    }

    /** An i64 array field's first {@code n} elements. */
    long[] getLongs(String field, int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = getLong(field, i);
        }
        return r;
    }

    int getInt(String field) {
        CudaStruct.Field f = check(field, 0, CudaStruct.Type.I32);
        return ByteBuffer.wrap(template).order(ByteOrder.LITTLE_ENDIAN).getInt(f.offset());
    }

    float getFloat(String field) {
        CudaStruct.Field f = check(field, 0, CudaStruct.Type.F32);
        return ByteBuffer.wrap(template).order(ByteOrder.LITTLE_ENDIAN).getFloat(f.offset());
    }

    private CudaStruct.Field check(String field, int index, CudaStruct.Type... types) {
        CudaStruct.Field f = struct.field(field);
        if (!Arrays.asList(types).contains(f.type()) || index < 0 || index >= f.count()) {
            throw new InvalidArgumentException(struct.name() + "." + field + " is " + f.spec() + ", read as "
                    + Arrays.toString(types) + " element " + index);
        }
        return f;
    }

    @Override
    public String toString() {
        return struct.name() + Arrays.toString(template);
    }

    /** Fills a struct's scalar fields and records its pointer fields. Not thread-safe. */
    static final class Builder {
        private final CudaStruct struct;
        private final ByteBuffer buf;
        private final List<Integer> offsets = new ArrayList<>();
        private final List<CudaRef> refs = new ArrayList<>();

        Builder(CudaStruct struct) {
            this.struct = struct;
            this.buf = ByteBuffer.allocate(struct.size()).order(ByteOrder.LITTLE_ENDIAN);
        }

        private CudaStruct.Field field(String name, CudaStruct.Type type, int count) {
            CudaStruct.Field f = struct.field(name);
            if (f.type() != type) {
                throw new InvalidArgumentException(struct.name() + "." + name + " is " + f.spec() + ", set as " + type);
            }
            if (count > f.count()) {
                throw new InvalidArgumentException(struct.name() + "." + name + " holds " + f.count() + " values, got " + count);
            }
            return f;
        }

        /** Sets an i64 field. */
        Builder i64(String name, long v) {
            buf.putLong(field(name, CudaStruct.Type.I64, 1).offset(), v);
            return this;
        }

        /** Sets the first {@code v.length} elements of an i64 array field; the rest stay 0. */
        Builder i64s(String name, long[] v) {
            CudaStruct.Field f = field(name, CudaStruct.Type.I64, v.length);
            for (int i = 0; i < v.length; i++) {
                buf.putLong(f.offset() + 8 * i, v[i]);
            }
            return this;
        }

        Builder i32(String name, int v) {
            buf.putInt(field(name, CudaStruct.Type.I32, 1).offset(), v);
            return this;
        }

        Builder bool(String name, boolean v) {
            return i32(name, v ? 1 : 0);
        }

        Builder f32(String name, float v) {
            buf.putFloat(field(name, CudaStruct.Type.F32, 1).offset(), v);
            return this;
        }

        /** Makes a pointer field point at {@code ref} at dispatch time. */
        Builder ptr(String name, CudaRef ref) {
            CudaStruct.Field f = field(name, CudaStruct.Type.PTR, 1);
            int at = offsets.indexOf(f.offset());
            if (at >= 0) {
                offsets.remove(at);
                refs.remove(at);
            }
            if (ref.kind() != CudaRef.Kind.NULL) {
                offsets.add(f.offset());
                refs.add(ref);
            }
            return this;
        }

        CudaArgs build() {
            return new CudaArgs(struct, buf.array().clone(), offsets, refs);
        }
    }
}
