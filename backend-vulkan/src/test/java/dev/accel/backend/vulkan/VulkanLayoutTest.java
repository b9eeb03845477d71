package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Layout ops move raw elements, so every dtype is checked bit for bit against an index-mapping reference. */
class VulkanLayoutTest extends VulkanTestSupport {

    static final long SKIP = Long.MIN_VALUE;

    static HostTensor randomBits(Random rnd, DType dt, int... dims) {
        HostTensor t = HostTensor.allocate(dt, dims);
        MemorySegment s = t.segment();
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        }
        if (dt == DType.BOOL) {
            for (long i = 0; i < t.numel(); i++) {
                t.setDouble(i, rnd.nextBoolean() ? 1 : 0);
            }
        }
        return t;
    }

    static long raw(HostTensor t, long i) {
        int w = t.dtype().byteSize();
        long v = 0;
        for (int b = w - 1; b >= 0; b--) {
            v = (v << 8) | (t.segment().get(ValueLayout.JAVA_BYTE, i * w + b) & 0xff);
        }
        return v;
    }

    /** Asserts y[i] == x[map(i)] bit for bit; map returns -1 for "the constant {@code fill}", {@link #SKIP} to skip. */
    static void assertMapped(String what, HostTensor x, HostTensor y, LongUnaryOperator map, long fill) {
        int bad = 0;
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < y.numel(); i++) {
            long src = map.applyAsLong(i);
            if (src == SKIP) {
                continue;
            }
            long want = src < 0 ? fill : raw(x, src);
            if (raw(y, i) != want && bad++ < 5) {
                sb.append(String.format("%n  [%d] got %x, want %x (from %d)", i, raw(y, i), want, src));
            }
        }
        assertEquals(0, bad, what + " " + y.type() + ": " + bad + " elements differ" + sb);
    }

    /** Maps a flat output index to the input index through per-axis coordinate functions. */
    static long mapIndex(long i, int[] outDims, int[] inDims, java.util.function.IntBinaryOperator axisMap) {
        long rem = i;
        long src = 0;
        long[] coord = new long[outDims.length];
        for (int d = outDims.length - 1; d >= 0; d--) {
            coord[d] = rem % outDims[d];
            rem /= outDims[d];
        }
        long[] inStr = Shape.of(inDims).strides();
        for (int d = 0; d < outDims.length; d++) {
            int c = axisMap.applyAsInt(d, (int) coord[d]);
            if (c < 0) {
                return -1;
            }
            src += c * inStr[d];
        }
        return src;
    }

    @Test
    void transposeEveryDType() {
        Random rnd = new Random(51);
        for (DType dt : DType.values()) {
            for (int[] perm : new int[][] {{1, 0, 2}, {2, 0, 1}, {0, 2, 1}, {}}) {
                HostTensor x = randomBits(rnd, dt, 3, 5, 7);
                HostTensor y = run(new Transpose(perm.length == 0 ? List.of() : java.util.Arrays.stream(perm).boxed().toList()), x)[0];
                int[] p = perm.length == 0 ? new int[] {2, 1, 0} : perm;
                long[] st = x.shape().strides();
                int[] od = y.shape().dims();
                assertMapped("Transpose " + java.util.Arrays.toString(perm), x, y, i -> {
                    long rem = i;
                    long src = 0;
                    for (int d = od.length - 1; d >= 0; d--) {
                        src += (rem % od[d]) * st[p[d]];
                        rem /= od[d];
                    }
                    return src;
                }, 0);
            }
        }
    }

    @Test
    void channelShuffleIsReshapeTransposeReshape() {
        HostTensor x = randomBits(new Random(52), DType.F32, 1, 6, 2, 2);
        HostTensor r1 = run(new Reshape(Shape.of(1, 2, 3, 2, 2)), x)[0];
        HostTensor t = run(new Transpose(List.of(0, 2, 1, 3, 4)), r1)[0];
        HostTensor y = run(new Reshape(Shape.of(1, 6, 2, 2)), t)[0];
        // channel c of the output is channel (c % 2) * 3 + c / 2 of the input
        assertMapped("channel shuffle", x, y, i -> {
            long c = i / 4;
            return ((c % 2) * 3 + c / 2) * 4 + i % 4;
        }, 0);
    }

    @Test
    void sliceWithNegativeAndClampedBounds() {
        Random rnd = new Random(53);
        Slice[] ops = {
            new Slice(List.of(1, 0), List.of(3, 100), List.of(), List.of()),
            new Slice(List.of(-1), List.of(-100), List.of(1), List.of(-2)),
            new Slice(List.of(0, 4, 1), List.of(5, 0, 6), List.of(0, 1, 2), List.of(2, -1, 3)),
            new Slice(List.of(2), List.of(2), List.of(0), List.of())};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.I8, DType.I64, DType.BOOL}) {
            for (Slice s : ops) {
                HostTensor x = randomBits(rnd, dt, 5, 6, 7);
                HostTensor y = run(s, x)[0];
                Slice.Range[] r = s.resolve(x.shape());
                int[] od = y.shape().dims();
                assertMapped("Slice " + s, x, y, i -> mapIndex(i, od, x.shape().dims(), (d, c) -> r[d].start() + c * r[d].step()), 0);
            }
        }
    }

    @Test
    void concatAndSplitRoundTrip() {
        Random rnd = new Random(54);
        for (DType dt : new DType[] {DType.F32, DType.BF16, DType.U8, DType.I32, DType.I64}) {
            for (int axis : new int[] {0, 1, -1}) {
                int[][] dims = {{2, 3, 4}, {2, 3, 4}, {2, 3, 4}};
                int a = Math.floorMod(axis, 3);
                dims[1][a] = 1;
                dims[2][a] = 0;
                HostTensor[] in = {randomBits(rnd, dt, dims[0]), randomBits(rnd, dt, dims[1]), randomBits(rnd, dt, dims[2])};
                HostTensor y = run(new Concat(axis), in)[0];
                List<Integer> sizes = List.of(dims[0][a], dims[1][a], dims[2][a]);
                HostTensor[] parts = run(new Split(axis, sizes), y);
                for (int k = 0; k < 3; k++) {
                    HostTensor src = in[k];
                    assertMapped("Split(Concat) part " + k + " axis " + axis, src, parts[k], i -> i, 0);
                }
                int[] od = y.shape().dims();
                assertMapped("Concat axis " + axis + " first part", in[0], y, i -> {
                    long[] st = y.shape().strides();
                    long c = (i / st[a]) % od[a];
                    return c < dims[0][a] ? mapIndex(i, od, dims[0], (d, cc) -> cc) : SKIP;
                }, 0);
            }
        }
    }

    @Test
    void padModes() {
        Random rnd = new Random(55);
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.I8, DType.I32, DType.I64}) {
            HostTensor x = randomBits(rnd, dt, 3, 4);
            List<Integer> pads = List.of(1, 2, 2, 3);
            for (Pad.Mode mode : Pad.Mode.values()) {
                Pad op = new Pad(mode, pads, -2.5f);
                HostTensor y = run(op, x)[0];
                long fill = VulkanLayout.constantBits(dt, -2.5f);
                int[] od = y.shape().dims();
                assertMapped("Pad " + mode, x, y, i -> mapIndex(i, od, new int[] {3, 4}, (d, c) -> {
                    int n = d == 0 ? 3 : 4;
                    int v = c - pads.get(d);
                    if (v >= 0 && v < n) {
                        return v;
                    }
                    return switch (mode) {
                        case CONSTANT -> -1;
                        case EDGE -> Math.clamp(v, 0, n - 1);
                        case REFLECT -> v < 0 ? -v : 2 * (n - 1) - v;
                    };
                }), fill);
            }
        }
        HostTensor empty = HostTensor.allocate(DType.F32, 0, 2);
        HostTensor y = run(new Pad(Pad.Mode.CONSTANT, List.of(1, 0, 1, 1), 7f), empty)[0];
        assertEquals(Shape.of(2, 3), y.shape());
        for (int i = 0; i < 6; i++) {
            assertEquals(7.0, y.getDouble(i));
        }
    }

    @Test
    void identityAndReshapeCopyEveryDType() {
        Random rnd = new Random(56);
        for (DType dt : DType.values()) {
            HostTensor x = randomBits(rnd, dt, 3, 1, 5);
            assertMapped("Identity", x, run(new Identity(), x)[0], i -> i, 0);
            assertMapped("Reshape", x, run(new Reshape(Shape.of(15)), x)[0], i -> i, 0);
        }
    }
}
