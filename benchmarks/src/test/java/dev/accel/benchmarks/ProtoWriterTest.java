package dev.accel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The protobuf wire encoding, byte for byte, against values worked out from the specification. */
class ProtoWriterTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void varintsUseSevenBitGroupsLowFirst() {
        // Field 1, wire type 0: tag 0x08. 150 = 0x96 0x01 (the specification's example).
        assertArrayEquals(bytes(0x08, 0x96, 0x01), new ProtoWriter().varint(1, 150).toByteArray());
        assertArrayEquals(bytes(0x08, 0x00), new ProtoWriter().varint(1, 0).toByteArray());
        // A negative int64 takes ten bytes, two's complement.
        assertArrayEquals(bytes(0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
                new ProtoWriter().varint(2, -1).toByteArray());
        // Field 20 needs a two-byte tag: (20 << 3) | 0 = 160 = 0xA0 0x01.
        assertArrayEquals(bytes(0xA0, 0x01, 0x07), new ProtoWriter().varint(20, 7).toByteArray());
    }

    @Test
    void lengthDelimitedAndFixed32() {
        // Field 2, wire type 2: tag 0x12, length, UTF-8 bytes ("testing", the specification's example).
        assertArrayEquals(bytes(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'), new ProtoWriter().string(2, "testing").toByteArray());
        // Field 2, wire type 5: tag 0x15, 1.0f little-endian = 00 00 80 3F.
        assertArrayEquals(bytes(0x15, 0x00, 0x00, 0x80, 0x3F), new ProtoWriter().float32(2, 1f).toByteArray());
        // An embedded message is its bytes, length-delimited: field 3 holding {field 1 = 150}.
        assertArrayEquals(bytes(0x1A, 0x03, 0x08, 0x96, 0x01),
                new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)).toByteArray());
    }
}
