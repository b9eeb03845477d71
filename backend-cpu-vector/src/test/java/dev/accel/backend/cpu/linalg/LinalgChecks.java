package dev.accel.backend.cpu.linalg;

import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertBytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertFloats;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertInts;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertSameBytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.bytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.bytesOf;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.floats;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.floatsOf;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.run;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.toDoubles;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.zeroPoint;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One check per op family: random seeded inputs, the vector kernel and its scalar twin each
 * against the float64 reference (FP32 within tolerance, integers exactly), and for the integer ops
 * the two paths byte for byte. Used by the JUnit tests and by {@link NarrowSpeciesCheck}.
 */
final class LinalgChecks {
    private LinalgChecks() {
    }

    static void matMul(int[] ad, int[] bd, long seed) {
        Random r = new Random(seed);
        OpSpec spec = OpSpec.of(new MatMul(), TensorType.of(DType.F32, ad), TensorType.of(DType.F32, bd));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = floats(arena, r, spec.inputs().get(0).numel());
            MemorySegment b = floats(arena, r, spec.inputs().get(1).numel());
            References.Result ref = References.matMul(toDoubles(a), ad, toDoubles(b), bd);
            assertFloats(spec + " vector", run(arena, spec, false, a, b), ref);
            assertFloats(spec + " scalar", run(arena, spec, true, a, b), ref);
            assertPreparedSame(arena, spec, new MemorySegment[] {a, b}, 1);
        }
    }

    /** Gemm with C of dims {@code cd} (null for no C). */
    static void gemm(int m, int n, int k, boolean transA, boolean transB, float alpha, float beta, int[] cd, long seed) {
        Random r = new Random(seed);
        Gemm op = new Gemm(alpha, beta, transA, transB);
        List<TensorType> types = new ArrayList<>(List.of(
                transA ? TensorType.of(DType.F32, k, m) : TensorType.of(DType.F32, m, k),
                transB ? TensorType.of(DType.F32, n, k) : TensorType.of(DType.F32, k, n)));
        if (cd != null) {
            types.add(TensorType.of(DType.F32, cd));
        }
        OpSpec spec = OpSpec.of(op, types);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = floats(arena, r, (long) m * k);
            MemorySegment b = floats(arena, r, (long) k * n);
            MemorySegment[] in = cd == null ? new MemorySegment[] {a, b}
                    : new MemorySegment[] {a, b, floats(arena, r, types.get(2).numel())};
            References.Result ref = References.gemm(toDoubles(a), toDoubles(b), cd == null ? null : toDoubles(in[2]), cd, m, n,
                    k, transA, transB, alpha, beta);
            assertFloats(spec + " " + op + " vector", run(arena, spec, false, in), ref);
            assertFloats(spec + " " + op + " scalar", run(arena, spec, true, in), ref);
            assertPreparedSame(arena, spec, in, 1);
            assertPreparedSame(arena, spec, in, 1, 2);
        }
    }

    static void conv(int[] xd, int[] wd, Conv2d g, boolean bias, long seed) {
        Random r = new Random(seed);
        List<TensorType> types = new ArrayList<>(List.of(TensorType.of(DType.F32, xd), TensorType.of(DType.F32, wd)));
        if (bias) {
            types.add(TensorType.of(DType.F32, wd[0]));
        }
        OpSpec spec = OpSpec.of(g, types);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = floats(arena, r, types.get(0).numel());
            MemorySegment w = floats(arena, r, types.get(1).numel());
            MemorySegment[] in = bias ? new MemorySegment[] {x, w, floats(arena, r, wd[0])} : new MemorySegment[] {x, w};
            References.Result ref = References.conv(toDoubles(x), xd, toDoubles(w), wd, bias ? toDoubles(in[2]) : null, ref(g));
            assertFloats(spec + " " + g + " vector", run(arena, spec, false, in), ref);
            assertFloats(spec + " " + g + " scalar", run(arena, spec, true, in), ref);
            assertPreparedSame(arena, spec, in, 1);
            assertPreparedSame(arena, spec, in, 1, 2);
        }
    }

    /** MatMulInteger; {@code zpMode} 0: no zero-point inputs, 1: per tensor, 2: b per column. */
    static void matMulInteger(int[] ad, int[] bd, DType at, DType bt, int zpMode, long seed) {
        Random r = new Random(seed);
        int n = bd.length == 1 ? 1 : bd[bd.length - 1];
        int za = zpMode == 0 ? 0 : zeroPoint(r, at);
        int[] zb = new int[zpMode == 2 ? n : 1];
        for (int i = 0; i < zb.length; i++) {
            zb[i] = zpMode == 0 ? 0 : zeroPoint(r, bt);
        }
        List<TensorType> types = new ArrayList<>(List.of(TensorType.of(at, ad), TensorType.of(bt, bd)));
        if (zpMode > 0) {
            types.add(TensorType.of(at));
            types.add(zpMode == 2 ? TensorType.of(bt, n) : TensorType.of(bt));
        }
        OpSpec spec = OpSpec.of(new MatMulInteger(), types);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = bytes(arena, r, types.get(0).numel());
            MemorySegment b = bytes(arena, r, types.get(1).numel());
            MemorySegment[] in = zpMode == 0 ? new MemorySegment[] {a, b}
                    : new MemorySegment[] {a, b, bytesOf(arena, za), bytesOf(arena, zb)};
            References.Result ref = References.matMul(toDoubles(a, at, new int[] {za}, 1), ad, toDoubles(b, bt, zb, 1), bd);
            MemorySegment vec = run(arena, spec, false, in);
            assertInts(spec + " zpMode " + zpMode + " vector", vec, ref);
            assertSameBytes(spec + " zpMode " + zpMode, vec, run(arena, spec, true, in));
            assertPreparedSame(arena, spec, in, 1);
            assertPreparedSame(arena, spec, in, 1, 3);
        }
    }

    /** QLinearMatMul with per-column (or per-tensor) b scale and zero point. */
    static void qlinearMatMul(int[] ad, int[] bd, DType at, DType bt, DType yt, boolean perColumn, long seed) {
        Random r = new Random(seed);
        int n = bd.length == 1 ? 1 : bd[bd.length - 1];
        int channels = perColumn ? n : 1;
        int za = zeroPoint(r, at);
        int[] zb = new int[channels];
        float[] sb = new float[channels];
        for (int i = 0; i < channels; i++) {
            zb[i] = zeroPoint(r, bt);
            sb[i] = 0.001f + r.nextFloat() * 0.01f;
        }
        float sa = 0.01f + r.nextFloat() * 0.05f;
        int k = ad[ad.length - 1];
        // A y scale near the accumulators' spread, so that most outputs land in range and some saturate.
        float sy = (float) (sa * 0.5 * Math.sqrt(k));
        int yzp = zeroPoint(r, yt) / 2;
        TensorType vec1 = perColumn ? TensorType.of(DType.F32, n) : TensorType.of(DType.F32);
        OpSpec spec = OpSpec.of(new QLinearMatMul(), TensorType.of(at, ad), TensorType.of(DType.F32), TensorType.of(at),
                TensorType.of(bt, bd), vec1, perColumn ? TensorType.of(bt, n) : TensorType.of(bt), TensorType.of(DType.F32),
                TensorType.of(yt));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = bytes(arena, r, spec.inputs().get(0).numel());
            MemorySegment b = bytes(arena, r, spec.inputs().get(3).numel());
            MemorySegment[] in = {a, floatsOf(arena, sa), bytesOf(arena, za), b, floatsOf(arena, sb), bytesOf(arena, zb),
                floatsOf(arena, sy), bytesOf(arena, yzp)};
            References.Result acc = References.matMul(toDoubles(a, at, new int[] {za}, 1), ad, toDoubles(b, bt, zb, 1), bd);
            int[] expected = LinalgTestSupport.requantize(acc.values(), sa, sb, 1, sy, yzp, yt);
            MemorySegment vec = run(arena, spec, false, in);
            assertBytes(spec + " vector", vec, yt, expected);
            assertBytes(spec + " scalar", run(arena, spec, true, in), yt, expected);
            assertPreparedSame(arena, spec, in, 3, 5);
            assertPreparedSame(arena, spec, in, 1, 3, 4, 5, 6, 7);
        }
    }

    /** ConvInteger with per-channel (or per-tensor) w zero point. */
    static void convInteger(int[] xd, int[] wd, Conv2d g, DType xt, DType wt, boolean perChannel, long seed) {
        Random r = new Random(seed);
        int m = wd[0];
        int xzp = zeroPoint(r, xt);
        int[] wzp = new int[perChannel ? m : 1];
        for (int i = 0; i < wzp.length; i++) {
            wzp[i] = zeroPoint(r, wt);
        }
        OpSpec spec = OpSpec.of(new ConvInteger(g), TensorType.of(xt, xd), TensorType.of(wt, wd), TensorType.of(xt),
                perChannel ? TensorType.of(wt, m) : TensorType.of(wt));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = bytes(arena, r, spec.inputs().get(0).numel());
            MemorySegment w = bytes(arena, r, spec.inputs().get(1).numel());
            MemorySegment[] in = {x, w, bytesOf(arena, xzp), bytesOf(arena, wzp)};
            long perOut = (long) wd[1] * wd[2] * wd[3];
            References.Result ref = References.conv(toDoubles(x, xt, new int[] {xzp}, 1), xd, toDoubles(w, wt, wzp, perOut), wd,
                    null, ref(g));
            MemorySegment vec = run(arena, spec, false, in);
            assertInts(spec + " " + g + " vector", vec, ref);
            assertSameBytes(spec + " " + g, vec, run(arena, spec, true, in));
            assertPreparedSame(arena, spec, in, 1);
            assertPreparedSame(arena, spec, in, 1, 3);
        }
    }

    /** QLinearConv with per-channel (or per-tensor) w scale and zero point, optional int32 bias. */
    static void qlinearConv(int[] xd, int[] wd, Conv2d g, DType xt, DType wt, DType yt, boolean perChannel, boolean bias,
            long seed) {
        Random r = new Random(seed);
        int m = wd[0];
        int channels = perChannel ? m : 1;
        int xzp = zeroPoint(r, xt);
        int[] wzp = new int[channels];
        float[] sw = new float[channels];
        for (int i = 0; i < channels; i++) {
            wzp[i] = zeroPoint(r, wt);
            sw[i] = 0.001f + r.nextFloat() * 0.01f;
        }
        float sx = 0.01f + r.nextFloat() * 0.05f;
        long perOut = (long) wd[1] * wd[2] * wd[3];
        float sy = (float) (sx * 0.5 * Math.sqrt(perOut));
        int yzp = zeroPoint(r, yt) / 2;
        int[] b = new int[m];
        for (int i = 0; i < m; i++) {
            b[i] = r.nextInt(20001) - 10000;
        }
        List<TensorType> types = new ArrayList<>(List.of(TensorType.of(xt, xd), TensorType.of(DType.F32), TensorType.of(xt),
                TensorType.of(wt, wd), perChannel ? TensorType.of(DType.F32, m) : TensorType.of(DType.F32),
                perChannel ? TensorType.of(wt, m) : TensorType.of(wt), TensorType.of(DType.F32), TensorType.of(yt)));
        if (bias) {
            types.add(TensorType.of(DType.I32, m));
        }
        OpSpec spec = OpSpec.of(new QLinearConv(g), types);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = bytes(arena, r, types.get(0).numel());
            MemorySegment w = bytes(arena, r, types.get(3).numel());
            List<MemorySegment> in = new ArrayList<>(List.of(x, floatsOf(arena, sx), bytesOf(arena, xzp), w, floatsOf(arena, sw),
                    bytesOf(arena, wzp), floatsOf(arena, sy), bytesOf(arena, yzp)));
            double[] bd = null;
            if (bias) {
                in.add(LinalgTestSupport.intsOf(arena, b));
                bd = new double[m];
                for (int i = 0; i < m; i++) {
                    bd[i] = b[i];
                }
            }
            References.Result acc = References.conv(toDoubles(x, xt, new int[] {xzp}, 1), xd, toDoubles(w, wt, wzp, perOut), wd,
                    bd, ref(g));
            int planes = acc.values().length / Math.max(1, xd[0] * m);
            int[] expected = LinalgTestSupport.requantize(acc.values(), sx, sw, Math.max(1, planes), sy, yzp, yt);
            MemorySegment[] args = in.toArray(MemorySegment[]::new);
            assertBytes(spec + " " + g + " vector", run(arena, spec, false, args), yt, expected);
            assertBytes(spec + " " + g + " scalar", run(arena, spec, true, args), yt, expected);
            assertPreparedSame(arena, spec, args, 3, 5);
            assertPreparedSame(arena, spec, args, 1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    /**
     * Compiles {@code spec} with the inputs at {@code constant} (those that exist) given as constants,
     * vector and scalar, and asserts each computes the same bytes as the kernel compiled without them.
     */
    static void assertPreparedSame(Arena arena, OpSpec spec, MemorySegment[] in, int... constant) {
        Map<Integer, MemorySegment> k = new HashMap<>();
        for (int i : constant) {
            if (i < in.length) {
                k.put(i, in[i]);
            }
        }
        for (boolean scalar : new boolean[] {false, true}) {
            assertSameBytes(spec + (scalar ? " scalar" : " vector") + " prepared with constant inputs " + k.keySet(),
                    run(arena, spec, scalar, in), run(arena, spec, scalar, k, in));
        }
    }

    static References.Conv ref(Conv2d g) {
        return new References.Conv(g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight(),
                g.dilationH(), g.dilationW(), g.groups());
    }
}
