package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuOps;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;

/**
 * A by-hand probe, not a test: one float Conv followed by Relu as the two kernels a plan ran
 * before fusion (the Relu into a buffer of its own), against the FusedConv kernel, on all cores,
 * weights constant. Three alternating rounds of best-of-10 x 50 ms each, microseconds per call.
 * Arguments: groups of six, {@code c h m k stride pad} ({@link SquareConv}), after an optional
 * {@code residual}: then Conv, Add of a residual and Relu as three kernels against the FusedConv
 * with the residual. Run with the module's test classpath.
 */
public final class FusedConvMain {
    private FusedConvMain() {
    }

    public static void main(String[] args) {
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        boolean residual = args.length > 0 && args[0].equals("residual");
        if (residual) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        for (SquareConv sc : SquareConv.parse(args)) {
            OpSpec conv = sc.spec();
            Conv2d geo = sc.attributes();
            TensorType xt = conv.inputs().get(0);
            TensorType wt = conv.inputs().get(1);
            TensorType bt = conv.inputs().get(2);
            TensorType yt = conv.outputs().get(0);
            OpSpec fused = residual ? OpSpec.of(new FusedConv(geo, Unary.of(Unary.Kind.RELU), true), xt, wt, bt, yt)
                    : OpSpec.of(new FusedConv(geo, Unary.of(Unary.Kind.RELU)), xt, wt, bt);
            MemorySegment x = LinalgTestSupport.floats(arena, r, xt.numel());
            MemorySegment w = LinalgTestSupport.floats(arena, r, wt.numel());
            MemorySegment b = LinalgTestSupport.floats(arena, r, bt.numel());
            MemorySegment y = arena.allocate(yt.byteSize(), 64);
            MemorySegment z = arena.allocate(yt.byteSize(), 64);
            Map<Integer, MemorySegment> constants = Map.of(1, w, 2, b);
            CpuOp convOp = CpuOps.compile(conv, constants, false);
            CpuOp relu = CpuOps.compile(OpSpec.of(Unary.of(Unary.Kind.RELU), conv.outputs().get(0)), false);
            CpuOp fusedOp = CpuOps.compile(fused, constants, false);
            CpuOp add = CpuOps.compile(OpSpec.of(new dev.accel.hal.op.Binary(dev.accel.hal.op.Binary.Kind.ADD), yt, yt), false);
            MemorySegment shortcut = LinalgTestSupport.floats(arena, r, yt.numel());
            MemorySegment s = arena.allocate(yt.byteSize(), 64);
            MemorySegment[] in = {x, w, b};
            MemorySegment[] fusedIn = residual ? new MemorySegment[] {x, w, b, shortcut} : in;
            Runnable two = () -> {
                convOp.run(in, new MemorySegment[] {y});
                if (residual) {
                    add.run(new MemorySegment[] {y, shortcut}, new MemorySegment[] {s});
                }
                relu.run(new MemorySegment[] {residual ? s : y}, new MemorySegment[] {z});
            };
            Runnable one = () -> fusedOp.run(fusedIn, new MemorySegment[] {z});
            LinalgTestSupport.bestMicros(1, 1000, two);
            LinalgTestSupport.bestMicros(1, 1000, one);
            StringBuilder line = new StringBuilder(String.format("c %4d h %3d m %4d k %d s %d p %d: %s / FusedConv, us:",
                    sc.c(), sc.h(), sc.m(), sc.k(), sc.s(), sc.p(), residual ? "Conv + Add + Relu" : "Conv + Relu"));
            for (int round = 0; round < 3; round++) {
                line.append(String.format(" %.1f / %.1f", LinalgTestSupport.bestMicros(10, 50, two),
                        LinalgTestSupport.bestMicros(10, 50, one)));
            }
            System.out.println(line);
        }
    }
}
