package dev.accel.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing of by-value kernel arguments: C alignment, little-endian bytes, pointers bound per dispatch. */
class CudaArgsTest {
    private static final CudaStruct S = CudaStruct.of("S", "i32 a", "i64 b", "f32 c", "ptr p", "i32 d", "i64 arr[3]", "i32 e");

    @Test
    void fieldsAreAlignedToTheirSizeAndTheStructToItsLargestField() {
        List<Integer> offsets = S.fields().stream().map(CudaStruct.Field::offset).toList();
        assertEquals(List.of(0, 8, 16, 24, 32, 40, 64), offsets);
        assertEquals(72, S.size());
        assertEquals(12, CudaStruct.of("T", "i32 a", "f32 b", "i32 c").size());
        assertEquals(List.of("i32 a", "i64 b", "f32 c", "ptr p", "i32 d", "i64 arr[3]", "i32 e"), S.specs());
    }

    @Test
    void scalarsArePackedLittleEndianAtTheirOffsets() {
        CudaArgs a = S.pack().i32("a", 0x01020304).i64("b", -2).f32("c", 1.5f).i32("d", 7).i64s("arr", new long[] {5, 6}).i32("e", -1)
                .build();
        ByteBuffer b = ByteBuffer.wrap(a.bind(r -> 0)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(72, b.capacity());
        assertEquals(0x04, b.get(0));
        assertEquals(0x01020304, b.getInt(0));
        assertEquals(-2, b.getLong(8));
        assertEquals(1.5f, b.getFloat(16));
        assertEquals(7, b.getInt(32));
        assertEquals(5, b.getLong(40));
        assertEquals(6, b.getLong(48));
        assertEquals(0, b.getLong(56));
        assertEquals(-1, b.getInt(64));
        assertEquals(0, b.getInt(4), "padding stays zero");
        assertArrayEquals(new long[] {5, 6, 0}, a.getLongs("arr", 3));
        assertEquals(1.5f, a.getFloat("c"));
    }

    @Test
    void pointersAreBoundAtEachDispatchToTheirBuffersAddresses() {
        CudaArgs a = S.pack().ptr("p", CudaRef.output(1).plus(64)).build();
        assertEquals(CudaRef.output(1).plus(64), a.pointer("p"));
        CudaRef.Resolver first = r -> r.kind() == CudaRef.Kind.OUTPUT && r.index() == 1 ? 0x7000_0000_0000L + r.byteOffset() : -1;
        CudaRef.Resolver second = r -> 0x1234_0000L + r.byteOffset();
        byte[] b1 = a.bind(first);
        byte[] b2 = a.bind(second);
        assertEquals(0x7000_0000_0040L, ByteBuffer.wrap(b1).order(ByteOrder.LITTLE_ENDIAN).getLong(24));
        assertEquals(0x1234_0040L, ByteBuffer.wrap(b2).order(ByteOrder.LITTLE_ENDIAN).getLong(24));
        assertEquals(0, ByteBuffer.wrap(a.bind(first)).order(ByteOrder.LITTLE_ENDIAN).getLong(8), "other fields untouched");
    }

    @Test
    void aNullReferenceLeavesTheFieldZeroAndReplacesAnEarlierOne() {
        CudaArgs a = S.pack().ptr("p", CudaRef.input(0)).ptr("p", CudaRef.NULL).build();
        assertEquals(CudaRef.NULL, a.pointer("p"));
        assertEquals(0, ByteBuffer.wrap(a.bind(r -> 99)).order(ByteOrder.LITTLE_ENDIAN).getLong(24));
    }

    @Test
    void wrongFieldsAndTypesAreRejectedWithTheStructsLayout() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> S.pack().i32("nope", 1));
        assertTrue(e.getMessage().contains("struct S has no field 'nope'"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> S.pack().i64("a", 1));
        assertTrue(e.getMessage().contains("S.a is i32 a, set as I64"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> S.pack().i64s("arr", new long[4]));
        assertTrue(e.getMessage().contains("holds 3 values, got 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaStruct.of("Bad", "double x"));
    }

    @Test
    void theGemmStructMatchesItsCLayoutAtKnownOffsets() {
        CudaStruct g = CudaStructs.GEMM;
        assertEquals(456, g.size());
        assertEquals(40, g.field("sam").offset());
        assertEquals(104, g.field("M").offset());
        assertEquals(152, g.field("bdims").offset());
        assertEquals(392, g.field("cC").offset());
    }
}
