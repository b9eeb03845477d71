package dev.accel.onnx;

import com.google.protobuf.ByteString;
import dev.accel.graph.Constant;
import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.ModelFormatException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.onnx.proto.Onnx.StringStringEntryProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * TensorProto to and from accel's {@link Constant}. Every size is checked against the data
 * actually present before anything is allocated, so a hostile tensor (a shape of 2^40 elements
 * over a few bytes of data) is a {@link ModelFormatException}, never an OutOfMemoryError.
 */
public final class OnnxTensors {
    private OnnxTensors() {
    }

    /**
     * The type of a tensor proto.
     *
     * @throws UnsupportedModelException for element types accel lacks
     * @throws ModelFormatException for negative or overflowing dimensions
     */
    public static TensorType type(TensorProto t, String what) {
        DType d = OnnxTypes.dtype(t.getDataType());
        if (d == null) {
            throw new UnsupportedModelException(what, List.of(new UnsupportedModelException.Item(what, "", "", 0,
                    OnnxTypes.unsupportedReason(t.getDataType()))));
        }
        return new TensorType(d, shape(t.getDimsList(), what));
    }

    static Shape shape(List<Long> dims, String what) {
        int[] d = new int[dims.size()];
        long n = 1;
        for (int i = 0; i < d.length; i++) {
            long v = dims.get(i);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new ModelFormatException(what + ": dimension " + i + " of " + dims + " is " + v + ", must be in 0.." + Integer.MAX_VALUE);
            }
            d[i] = (int) v;
            n = multiply(n, v, what, dims);
        }
        return Shape.of(d);
    }

    private static long multiply(long n, long v, String what, List<Long> dims) {
        try {
            long r = Math.multiplyExact(n, v);
            if (r > (1L << 40)) {
                throw new ArithmeticException();
            }
            return r;
        } catch (ArithmeticException e) {
            throw new ModelFormatException(what + ": shape " + dims + " has more than 2^40 elements");
        }
    }

    /**
     * Reads a tensor's data.
     *
     * @param baseDir the model's folder, for external data; null when the bytes came from memory
     * @param what names the tensor in error messages
     */
    public static Constant toConstant(TensorProto t, Path baseDir, String what) {
        if (t.hasSegment()) {
            throw new UnsupportedModelException(what, List.of(new UnsupportedModelException.Item(what, "", "", 0,
                    "segmented tensors are not read")));
        }
        TensorType type = type(t, what);
        long n = type.numel();
        long bytes = type.byteSize();
        DType d = type.dtype();
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return external(t, type, baseDir, what);
        }
        if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != bytes) {
                throw new ModelFormatException(what + ": raw_data holds " + raw.size() + " bytes, " + type + " needs " + bytes);
            }
            return Constant.build(type, h -> MemorySegment.copy(MemorySegment.ofBuffer(raw.asReadOnlyByteBuffer()), 0, h.segment(), 0, bytes));
        }
        long count = switch (d) {
            case F32 -> t.getFloatDataCount();
            case I64 -> t.getInt64DataCount();
            default -> t.getInt32DataCount();
        };
        if (count != n) {
            throw new ModelFormatException(what + ": holds " + count + " values in its " + field(d) + " field, " + type + " needs " + n);
        }
        return Constant.build(type, h -> {
            MemorySegment s = h.segment();
            for (int i = 0; i < n; i++) {
                switch (d) {
                    case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, t.getFloatData(i));
                    case I64 -> s.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, t.getInt64Data(i));
                    case I32 -> s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, t.getInt32Data(i));
                    case F16, BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) t.getInt32Data(i));
                    case I8, U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) t.getInt32Data(i));
                    case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (t.getInt32Data(i) != 0 ? 1 : 0));
                }
            }
        });
    }

    private static String field(DType d) {
        return switch (d) {
            case F32 -> "float_data";
            case I64 -> "int64_data";
            default -> "int32_data";
        };
    }

    private static Constant external(TensorProto t, TensorType type, Path baseDir, String what) {
        if (baseDir == null) {
            throw new ModelFormatException(what + ": data is in an external file, but the model was read from memory; read it from its path");
        }
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), what, "offset");
                case "length" -> length = parseLong(e.getValue(), what, "length");
                default -> {
                    // checksum and others are informative.
                }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelFormatException(what + ": external data has no location");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path file = base.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(base)) {
            throw new ModelFormatException(what + ": external data location '" + location + "' leaves the model's folder " + base);
        }
        long bytes = type.byteSize();
        if (length >= 0 && length != bytes) {
            throw new ModelFormatException(what + ": external data length " + length + " does not match " + type + ", which needs " + bytes);
        }
        try {
            long size = Files.size(file);
            if (offset < 0 || offset > size || size - offset < bytes) {
                throw new ModelFormatException(what + ": external file " + file + " has " + size + " bytes; " + bytes
                        + " bytes at offset " + offset + " do not fit");
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                final long start = offset;
                return Constant.build(type, h -> readFully(ch, h, start, what));
            }
        } catch (IOException e) {
            throw new ModelFormatException(what + ": cannot read external data " + file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, HostTensor h, long offset, String what) {
        long done = 0;
        long bytes = h.type().byteSize();
        try {
            while (done < bytes) {
                int chunk = (int) Math.min(1 << 30, bytes - done);
                ByteBuffer buf = h.segment().asSlice(done, chunk).asByteBuffer();
                while (buf.hasRemaining()) {
                    if (ch.read(buf, offset + done + buf.position()) < 0) {
                        throw new ModelFormatException(what + ": external data ends early");
                    }
                }
                done += chunk;
            }
        } catch (IOException e) {
            throw new ModelFormatException(what + ": reading external data failed: " + e.getMessage(), e);
        }
    }

    private static long parseLong(String s, String what, String key) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ModelFormatException(what + ": external data " + key + " '" + s + "' is not a number");
        }
    }

    /** A tensor proto holding a constant's data as raw bytes (a splat is materialized). */
    public static TensorProto toProto(String name, Constant c) {
        return toProto(name, c.tensor());
    }

    /** A tensor proto holding a host tensor's data as raw bytes. */
    public static TensorProto toProto(String name, HostTensor h) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(OnnxTypes.code(h.dtype()));
        for (int d : h.shape().dims()) {
            b.addDims(d);
        }
        b.setRawData(ByteString.copyFrom(h.segment().asByteBuffer()));
        return b.build();
    }

    /** A tensor proto of a raw file (a test's {@code input_0.pb}), read with the size checks of {@link #toConstant}. */
    public static Constant read(Path pb) {
        try {
            long size = Files.size(pb);
            if (size > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException(pb + ": " + size + " bytes is more than one tensor file may hold (2 GiB)");
            }
            TensorProto t = TensorProto.parseFrom(Files.readAllBytes(pb));
            return toConstant(t, pb.getParent(), pb.getFileName().toString());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new ModelFormatException(pb + " is not a valid TensorProto: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + pb + ": " + e.getMessage(), e);
        }
    }
}
