package dev.accel.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@code CpuDevice.prepare(spec, constants)}: same results as the plain kernel through a queue, and its argument checks. */
class CpuDevicePrepareTest {
    private static final OpSpec CONV = OpSpec.of(Conv2d.of(1, 1, 1), TensorType.of(DType.F32, 1, 8, 7, 7),
            TensorType.of(DType.F32, 20, 8, 3, 3), TensorType.of(DType.F32, 20));

    private static HostTensor random(TensorType t, Random r) {
        HostTensor h = HostTensor.allocate(t);
        for (int i = 0; i < t.numel(); i++) {
            h.setFloat(i, r.nextFloat() * 2 - 1);
        }
        return h;
    }

    private static float[] dispatch(CpuDevice d, Queue q, Kernel k, HostTensor... in) {
        DeviceBuffer[] bufs = new DeviceBuffer[in.length];
        for (int i = 0; i < in.length; i++) {
            bufs[i] = d.allocate(in[i].type());
            q.write(in[i], bufs[i]);
        }
        DeviceBuffer y = d.allocate(k.spec().outputs().get(0));
        q.dispatch(k, List.of(bufs), List.of(y));
        try (HostTensor out = HostTensor.allocate(y.type())) {
            q.read(y, out).await();
            float[] r = new float[(int) out.type().numel()];
            for (int i = 0; i < r.length; i++) {
                r[i] = out.getFloat(i);
            }
            return r;
        }
    }

    @Test
    void constantWeightsGiveTheSameResultAsPlainInputs() {
        Random r = new Random(5);
        try (CpuDevice d = new CpuDevice("cpu:test"); Queue q = d.newQueue();
                HostTensor x = random(CONV.inputs().get(0), r); HostTensor w = random(CONV.inputs().get(1), r);
                HostTensor b = random(CONV.inputs().get(2), r)) {
            float[] plain = dispatch(d, q, d.prepare(CONV), x, w, b);
            float[] prepared = dispatch(d, q, d.prepare(CONV, Map.of(1, w, 2, b)), x, w, b);
            assertArrayEquals(plain, prepared);
        }
    }

    @Test
    void halfConstantsAreWidenedOnceAndGiveTheSameResult() {
        OpSpec half = OpSpec.of(Conv2d.of(1, 1, 1), TensorType.of(DType.F16, 1, 8, 7, 7), TensorType.of(DType.F16, 20, 8, 3, 3),
                TensorType.of(DType.F16, 20));
        Random r = new Random(6);
        try (HostTensor x = random(half.inputs().get(0), r); HostTensor w = random(half.inputs().get(1), r);
                HostTensor b = random(half.inputs().get(2), r);
                HostTensor plain = HostTensor.allocate(half.outputs().get(0));
                HostTensor prepared = HostTensor.allocate(half.outputs().get(0))) {
            java.lang.foreign.MemorySegment[] in = {x.segment(), w.segment(), b.segment()};
            CpuOps.compile(half, false).run(in, new java.lang.foreign.MemorySegment[] {plain.segment()});
            CpuOps.compile(half, Map.of(1, w.segment(), 2, b.segment()), false)
                    .run(in, new java.lang.foreign.MemorySegment[] {prepared.segment()});
            org.junit.jupiter.api.Assertions.assertEquals(-1L, plain.segment().mismatch(prepared.segment()),
                    "float16 Conv prepared with constant W and B differs from the plain kernel");
        }
    }

    @Test
    void constantsOfTheWrongIndexOrTypeAreRefused() {
        try (CpuDevice d = new CpuDevice("cpu:test"); HostTensor w = HostTensor.allocate(CONV.inputs().get(1))) {
            assertThrows(InvalidArgumentException.class, () -> d.prepare(CONV, Map.of(3, w)));
            assertThrows(InvalidArgumentException.class, () -> d.prepare(CONV, Map.of(2, w)));
        }
    }
}
