package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The suite covers every op with the dtypes and shape families the issue asks for, within a sensible size. */
class SuiteCoverageTest {
    private static List<OpCase> opCases() {
        return ConformanceSuite.cases().stream().filter(c -> c instanceof OpCase).map(c -> (OpCase) c).toList();
    }

    /** Every (op class or kind, first input dtype) pair the suite runs. */
    private static Set<String> covered() {
        Set<String> s = new HashSet<>();
        for (OpCase c : opCases()) {
            for (OpSpec spec : c.steps()) {
                s.add(key(spec.op()) + "/" + spec.inputs().getFirst().dtype());
            }
        }
        return s;
    }

    private static String key(Op op) {
        return switch (op) {
            case Unary u -> "Unary." + u.kind();
            case Binary b -> "Binary." + b.kind();
            default -> op.getClass().getSimpleName();
        };
    }

    @Test
    void everyOpOfTheSealedInterfaceHasCases() {
        Set<String> ops = new HashSet<>();
        opCases().forEach(c -> c.steps().forEach(s -> ops.add(s.op().getClass().getSimpleName())));
        for (Class<?> k : Op.class.getPermittedSubclasses()) {
            assertTrue(ops.contains(k.getSimpleName()), "no case runs " + k.getSimpleName());
        }
    }

    @Test
    void floatOpsRunInEveryFloatDtype() {
        Set<String> c = covered();
        List<String> floatOps = List.of("MatMul", "Gemm", "Conv2d", "Pool2d", "GlobalAveragePool", "BatchNorm", "LayerNorm",
                "Lrn", "Softmax", "ReduceMean", "Sum", "Attention", "QuantizeLinear");
        for (DType d : CaseList.FLOATS) {
            for (String op : floatOps) {
                assertTrue(c.contains(op + "/" + d), op + " has no " + d + " case");
            }
            for (Unary.Kind k : Unary.Kind.values()) {
                assertTrue(c.contains("Unary." + k + "/" + d), k + " has no " + d + " case");
            }
            for (Binary.Kind k : Binary.Kind.values()) {
                assertTrue(c.contains("Binary." + k + "/" + d), k + " has no " + d + " case");
            }
        }
    }

    @Test
    void quantizedOpsRunInInt8AndUint8() {
        Set<String> c = covered();
        for (String op : List.of("DequantizeLinear", "MatMulInteger", "QLinearMatMul", "ConvInteger", "QLinearConv")) {
            assertTrue(c.contains(op + "/I8") && c.contains(op + "/U8"), op + " lacks int8 or uint8");
        }
    }

    @Test
    void layoutOpsRunInEveryDtypeAndCastCoversEveryPair() {
        Set<String> c = covered();
        Set<String> pairs = new HashSet<>();
        for (OpCase oc : opCases()) {
            OpSpec s = oc.steps().getFirst();
            if (s.op() instanceof Cast cast) {
                pairs.add(s.inputs().getFirst().dtype() + "->" + cast.to());
            }
        }
        for (DType d : DType.values()) {
            for (String op : List.of("Identity", "Reshape", "Transpose", "Concat", "Slice", "Split", "Pad")) {
                assertTrue(c.contains(op + "/" + d), op + " has no " + d + " case");
            }
            for (DType to : DType.values()) {
                assertTrue(pairs.contains(d + "->" + to), "no Cast " + d + " -> " + to);
            }
        }
    }

    @Test
    void shapeFamiliesIncludeOddEmptyScalarAndLargeTensors() {
        Set<Long> lengths = new HashSet<>();
        boolean empty = false;
        boolean scalar = false;
        long largest = 0;
        for (OpCase oc : opCases()) {
            for (TensorType t : oc.steps().getFirst().inputs()) {
                lengths.add(t.numel());
                empty |= t.numel() == 0;
                scalar |= t.rank() == 0;
                largest = Math.max(largest, t.numel());
            }
        }
        for (long n : List.of(1L, 17L, 127L)) {
            assertTrue(lengths.contains(n), "no input of " + n + " elements");
        }
        assertTrue(empty && scalar, "empty " + empty + ", scalar " + scalar);
        assertTrue(largest >= 1 << 20, "largest input has " + largest + " elements");
        List<String> ids = ConformanceSuite.cases().stream().map(ConformanceCase::id).toList();
        for (String family : List.of("Conv/f32/depthwise-", "Conv/f16/group2-", "Conv/bf16/dilation2-", "Conv/f32/s2-asym-pad",
                "MaxPool/f32/3x3-s2-ceil", "AveragePool/f16/ceil-3x3-s2-p1-incl", "Attention/f32/causal-",
                "QLinearConv/i8xi8/per-channel", "QLinearMatMul/u8xi8/per-column", "QuantizeLinear/f32->i8/per-axis",
                "ChannelShuffle/u8/", "Queue/u8/two-queues-waitFor", "Buffer/u8/size-0", "Buffer/u8/large-")) {
            assertTrue(ids.stream().anyMatch(id -> id.startsWith(family)), "no case " + family + "*");
        }
    }

    @Test
    void idsAreUniqueWithoutSpacesAndTheSuiteIsSizedForAQuickRun() {
        List<ConformanceCase> all = ConformanceSuite.cases();
        Set<String> ids = new HashSet<>();
        for (ConformanceCase c : all) {
            assertTrue(ids.add(c.id()), "duplicate " + c.id());
            assertFalse(c.id().contains(" "), c.id());
            assertEquals(c.op() + "/" + c.dtype(), c.id().substring(0, c.id().lastIndexOf('/')), c.id());
        }
        assertTrue(all.size() >= 500 && all.size() <= 1500, all.size() + " cases");
    }

    @Test
    void inputsAreSeededByIdAndNeverAllZero() {
        for (OpCase c : opCases()) {
            List<TensorType> in = c.steps().getFirst().inputs();
            java.util.SplittableRandom a = new java.util.SplittableRandom(OpCase.seed(c.id()));
            java.util.SplittableRandom b = new java.util.SplittableRandom(OpCase.seed(c.id()));
            double[] first = c.inputs().getFirst().values((int) in.getFirst().numel(), a);
            assertEquals(java.util.Arrays.toString(first),
                    java.util.Arrays.toString(c.inputs().getFirst().values((int) in.getFirst().numel(), b)), c.id());
            if (first.length > 0) {
                assertTrue(java.util.Arrays.stream(first).anyMatch(v -> v != 0), c.id() + ": first input is all zeros");
            }
        }
    }
}
