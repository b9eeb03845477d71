package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op case planned for an sm_90 GPU and run through the host model of the kernels
 * ({@link CudaPlanEmulator}) agrees with the float64 reference: this checks, without a GPU, the
 * strides, offsets, batch and conv geometry and pointer wiring the planners pack.
 */
class CudaPlanEmulatorTest {
    static List<CudaCase> allCases() {
        List<CudaCase> cases = new ArrayList<>();
        cases.addAll(CudaOpCases.floatCases(DType.F32));
        cases.addAll(CudaOpCases.floatCases(DType.F16));
        for (DType d : DType.values()) {
            cases.addAll(CudaOpCases.layoutCases(d));
        }
        cases.addAll(CudaQuantCases.cases(DType.F32));
        cases.addAll(CudaQuantCases.integerCases());
        cases.addAll(CudaQuantCases.castCases());
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCaseAgreesWithTheReferenceThroughTheKernelModel() {
        return allCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<HostTensor> in = c.inputs();
            List<HostTensor> out = new ArrayList<>();
            for (TensorType t : c.spec().outputs()) {
                out.add(HostTensor.allocate(t));
            }
            CudaPlanEmulator.run(CudaOps.plan(c.spec(), CudaArch.SM90), in, out);
            assertNull(c.compare(out, c.expected(in)));
        }));
    }
}
