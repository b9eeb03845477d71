package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Unary;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Java side of every kernel argument struct matches the C side: same fields in the same order
 * (parsed from the .cu sources), the size nvcc checks with ACCEL_STRUCT_SIZE equals the size packed
 * here, and the enum codes the kernels switch on equal the Java ordinals.
 */
class CudaStructLayoutTest {
    @Test
    void everyStructOfTheSourcesIsDeclaredInJavaFieldForField() throws IOException {
        Map<String, List<String>> c = CudaKernelSourceFiles.structs();
        TreeSet<String> java = new TreeSet<>();
        for (CudaStruct s : CudaStructs.ALL) {
            java.add(s.name());
            assertEquals(c.get(s.name()), s.specs(), "fields of " + s.name());
        }
        assertEquals(new TreeSet<>(c.keySet()), java, "structs in the .cu sources vs CudaStructs.ALL");
    }

    @Test
    void sizesAssertedToNvccEqualThePackedSizes() throws IOException {
        Map<String, Integer> sizes = CudaKernelSourceFiles.declaredSizes();
        assertEquals(CudaStructs.ALL.size(), sizes.size(), "every struct has an ACCEL_STRUCT_SIZE: " + sizes.keySet());
        for (CudaStruct s : CudaStructs.ALL) {
            assertEquals(sizes.get(s.name()), s.size(), "size of " + s.name());
            assertTrue(s.size() <= 4096, s + " must fit the 4 KiB kernel parameter limit of older drivers");
        }
    }

    @Test
    void dtypeCodesAreTheDTypeOrdinals() throws IOException {
        Map<String, Integer> dt = CudaKernelSourceFiles.defines("DT_");
        assertEquals(DType.values().length, dt.size());
        for (DType d : DType.values()) {
            assertEquals(d.ordinal(), dt.get(d.name()), "DT_" + d.name());
        }
    }

    @Test
    void opKindCodesAreTheEnumOrdinals() throws IOException {
        Map<String, Integer> u = CudaKernelSourceFiles.defines("U_");
        assertEquals(Unary.Kind.values().length, u.size());
        for (Unary.Kind k : Unary.Kind.values()) {
            assertEquals(k.ordinal(), u.get(k.name()), "U_" + k.name());
        }
        Map<String, Integer> b = CudaKernelSourceFiles.defines("B_");
        assertEquals(Binary.Kind.values().length, b.size());
        for (Binary.Kind k : Binary.Kind.values()) {
            assertEquals(k.ordinal(), b.get(k.name()), "B_" + k.name());
        }
        Map<String, Integer> p = CudaKernelSourceFiles.defines("PAD_");
        for (Pad.Mode m : Pad.Mode.values()) {
            assertEquals(m.ordinal(), p.get(m.name()), "PAD_" + m.name());
        }
    }

    @Test
    void theModuleListMatchesTheSourceFolder() throws IOException {
        List<String> files = CudaKernelSourceFiles.files(".*\\.cu").stream().map(p -> p.getFileName().toString().replace(".cu", ""))
                .toList();
        assertEquals(new TreeSet<>(files), new TreeSet<>(CudaKernelSources.MODULES));
        List<String> headers = CudaKernelSourceFiles.files(".*\\.cuh").stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(new TreeSet<>(headers), new TreeSet<>(CudaKernelSources.HEADERS));
    }
}
