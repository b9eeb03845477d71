package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link CudaPlan} on the host: a Java model of what each kernel computes for one element
 * (the index arithmetic of common.cuh and each .cu file, in double precision), so that the
 * planning (strides, offsets, batch and conv geometry, which buffer each pointer names) is
 * tested on machines without a GPU. It models the kernels' indexing, not their tiling or
 * rounding; the GPU tests check the kernels themselves.
 */
final class CudaPlanEmulator {
    private final List<ByteBuffer> inputs = new ArrayList<>();
    private final List<ByteBuffer> outputs = new ArrayList<>();
    private final List<ByteBuffer> scratch = new ArrayList<>();

    /** Runs {@code plan} on the given tensors (outputs are overwritten). */
    static void run(CudaPlan plan, List<HostTensor> in, List<HostTensor> out) {
        CudaPlanEmulator e = new CudaPlanEmulator();
        for (HostTensor t : in) {
            e.inputs.add(t.segment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
        for (HostTensor t : out) {
            e.outputs.add(t.segment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        }
        for (long bytes : plan.scratch()) {
            e.scratch.add(ByteBuffer.allocate((int) Math.max(8, bytes)).order(ByteOrder.LITTLE_ENDIAN));
        }
        for (CudaPlan.Step s : plan.steps()) {
            switch (s) {
                case CudaPlan.Copy c -> {
                    Ptr src = e.ptr(c.src());
                    Ptr dst = e.ptr(c.dst());
                    for (long i = 0; i < c.bytes(); i++) {
                        dst.buf.put((int) (dst.off + i), src.buf.get((int) (src.off + i)));
                    }
                }
                case CudaPlan.Launch l -> CudaKernelModel.run(e, l);
            }
        }
    }

    /** A byte position in one of the buffers. */
    record Ptr(ByteBuffer buf, long off) {
        double get(DType t, long i) {
            int at = (int) (off + i * t.byteSize());
            return switch (t) {
                case F32 -> buf.getFloat(at);
                case F16 -> Half.f16ToFloat(buf.getShort(at));
                case BF16 -> Half.bf16ToFloat(buf.getShort(at));
                case I8 -> buf.get(at);
                case U8 -> buf.get(at) & 0xff;
                case I32 -> buf.getInt(at);
                case I64 -> buf.getLong(at);
                case BOOL -> buf.get(at) != 0 ? 1 : 0;
            };
        }

        /** Stores as the kernels do: floats rounded to the dtype, integers rounded half to even and saturated. */
        void set(DType t, long i, double v) {
            int at = (int) (off + i * t.byteSize());
            switch (t) {
                case F32 -> buf.putFloat(at, (float) v);
                case F16 -> buf.putShort(at, Half.floatToF16((float) v));
                case BF16 -> buf.putShort(at, Half.floatToBf16((float) v));
                case I8 -> buf.put(at, (byte) CudaLinalgReference.saturate(v, -128, 127));
                case U8 -> buf.put(at, (byte) CudaLinalgReference.saturate(v, 0, 255));
                case I32 -> buf.putInt(at, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v)));
                case I64 -> buf.putLong(at, (long) v);
                case BOOL -> buf.put(at, (byte) (v != 0 ? 1 : 0));
            }
        }

        long getBits(int size, long i) {
            int at = (int) (off + i * size);
            return switch (size) {
                case 1 -> buf.get(at);
                case 2 -> buf.getShort(at);
                case 4 -> buf.getInt(at);
                default -> buf.getLong(at);
            };
        }

        void setBits(int size, long i, long v) {
            int at = (int) (off + i * size);
            switch (size) {
                case 1 -> buf.put(at, (byte) v);
                case 2 -> buf.putShort(at, (short) v);
                case 4 -> buf.putInt(at, (int) v);
                default -> buf.putLong(at, v);
            }
        }
    }

    Ptr ptr(CudaRef r) {
        return switch (r.kind()) {
            case INPUT -> new Ptr(inputs.get(r.index()), r.byteOffset());
            case OUTPUT -> new Ptr(outputs.get(r.index()), r.byteOffset());
            case SCRATCH -> new Ptr(scratch.get(r.index()), r.byteOffset());
            case NULL -> null;
        };
    }

    /** strided_offset of common.cuh. */
    static long offset(long i, int rank, long[] dims, long[] strides) {
        long off = 0;
        for (int d = rank - 1; d >= 0; d--) {
            long q = i / dims[d];
            off += (i - q * dims[d]) * strides[d];
            i = q;
        }
        return off;
    }
}
