package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Kernel;
import dev.accel.hal.Queue;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jocl.cl_mem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Constant inputs at prepare: Gemm's B with transB, on the register-blocked kernel, is packed once
 * at prepare instead of transposed into scratch at every dispatch, with identical results; every
 * other case ignores the constants.
 */
class OclPrepareConstantsTest {
    private static OclDevice device;
    private static boolean defaultMode;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
        defaultMode = device.tiles().registerBlocked();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.tiles().useRegisterBlocks(defaultMode);
            device.close();
        }
    }

    /** Runs {@code k} on {@code inputs}, twice with different A to show the packed B is reused intact. */
    private static List<HostTensor> runTwice(Kernel k, List<HostTensor> inputs, HostTensor otherA) {
        List<HostTensor> results = new ArrayList<>();
        List<DeviceBuffer> buffers = new ArrayList<>();
        try (Queue q = device.newQueue()) {
            for (HostTensor h : inputs) {
                DeviceBuffer b = device.allocate(h.type());
                q.write(h, b);
                buffers.add(b);
            }
            DeviceBuffer out = device.allocate(k.spec().outputs().getFirst());
            for (HostTensor a : List.of(inputs.getFirst(), otherA)) {
                q.write(a, buffers.getFirst());
                q.dispatch(k, buffers, List.of(out));
                HostTensor y = HostTensor.allocate(out.type());
                q.read(out, y);
                results.add(y);
            }
            q.finish();
            out.close();
        } finally {
            buffers.forEach(DeviceBuffer::close);
        }
        return results;
    }

    @Test
    void gemmWithConstantTransposedWeightsMatchesThePlainKernelOnBothGemmKernels() {
        Random r = new Random(3);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (DType t : new DType[] {DType.F32, DType.F16}) {
                HostTensor a = random(r, t, -1, 1, 13, 29);
                HostTensor a2 = random(r, t, -1, 1, 13, 29);
                HostTensor w = random(r, t, -1, 1, 21, 29);
                HostTensor c = random(r, t, -1, 1, 21);
                List<HostTensor> in = List.of(a, w, c);
                OpSpec spec = OpSpec.of(new Gemm(1f, 1f, false, true), a.type(), w.type(), c.type());
                HostTensor weights = HostTensor.allocate(w.type());
                weights.segment().copyFrom(w.segment());
                try (Kernel plain = device.prepare(spec); Kernel packed = device.prepare(spec, Map.of(1, weights, 2, c))) {
                    weights.segment().fill((byte) 0x7f); // the device copied the constant at prepare
                    List<HostTensor> want = runTwice(plain, in, a2);
                    List<HostTensor> got = runTwice(packed, in, a2);
                    for (int i = 0; i < 2; i++) {
                        assertEquals(-1, want.get(i).segment().mismatch(got.get(i).segment()),
                                t + (registers ? " registers" : " tiles") + ", dispatch " + i);
                    }
                }
                weights.close();
            }
        }
    }

    @Test
    void theRegisterBlockedPlanOfAConstantBHasNoTransposeAndNoScratch() {
        device.tiles().useRegisterBlocks(true);
        Random r = new Random(4);
        HostTensor w = random(r, DType.F32, -1, 1, 8, 16);
        OpSpec spec = OpSpec.of(new Gemm(1f, 0f, false, true), dev.accel.hal.TensorType.of(DType.F32, 4, 16), w.type());
        try (Kernel plain = device.prepare(spec); Kernel packed = device.prepare(spec, Map.of(1, w));
             DeviceBuffer a = device.allocate(spec.inputs().get(0)); DeviceBuffer b = device.allocate(w.type());
             DeviceBuffer y = device.allocate(spec.outputs().getFirst())) {
            cl_mem[] in = {((OclBuffer) a).mem(), ((OclBuffer) b).mem()};
            cl_mem[] out = {((OclBuffer) y).mem()};
            try (OclPlan p = new OclPlan(device); OclPlan q = new OclPlan(device)) {
                ((OclKernel) plain).op().plan(in, out, p);
                ((OclKernel) packed).op().plan(in, out, q);
                assertEquals(2, p.launches().size(), "plain: transpose of B into scratch, then the GEMM");
                assertEquals(1, q.launches().size(), "constant B: the GEMM alone, on B packed at prepare");
            }
        }
    }

    @Test
    void badConstantsAreRefused() {
        HostTensor w = HostTensor.allocate(DType.F32, 8, 16);
        OpSpec spec = OpSpec.of(new Gemm(1f, 0f, false, true), dev.accel.hal.TensorType.of(DType.F32, 4, 16), w.type());
        InvalidArgumentException range = assertThrows(InvalidArgumentException.class, () -> device.prepare(spec, Map.of(2, w)));
        assertTrue(range.getMessage().contains("index 2 is out of range"), range.getMessage());
        InvalidArgumentException type = assertThrows(InvalidArgumentException.class, () -> device.prepare(spec, Map.of(0, w)));
        assertTrue(type.getMessage().contains("constant input 0 is float32[8, 16]") && type.getMessage().contains("float32[4, 16]"),
                type.getMessage());
        w.close();
    }
}
