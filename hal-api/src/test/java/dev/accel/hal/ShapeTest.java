package dev.accel.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void numelStridesAndScalar() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.numel());
        assertArrayEquals(new long[] {12, 4, 1}, s.strides());
        assertEquals(1, Shape.scalar().numel());
        assertEquals(0, Shape.of(3, 0, 2).numel());
        assertEquals("[2, 3, 4]", s.toString());
        assertEquals(4, s.dim(-1));
    }

    @Test
    void rejectsNegativeDimensionsNamingThem() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Shape.of(2, -1));
        assertTrue(e.getMessage().contains("dimension 1") && e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void broadcastsLikeNumpy() {
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast(Shape.of(3, 1), Shape.of(2, 1, 4)));
        assertEquals(Shape.of(5, 0), Shape.broadcast(Shape.of(5, 1), Shape.of(0)));
        assertEquals(Shape.of(3), Shape.broadcast(Shape.scalar(), Shape.of(3)));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Shape.broadcast(Shape.of(2, 3), Shape.of(4, 3)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 3]"), e.getMessage());
    }

    @Test
    void broadcastStridesZeroOnExpandedAxes() {
        assertArrayEquals(new long[] {0, 1, 0}, Shape.of(3, 1).broadcastStrides(Shape.of(2, 3, 4)));
        assertArrayEquals(new long[] {0, 0}, Shape.scalar().broadcastStrides(Shape.of(2, 5)));
    }

    @Test
    void normalizesAxes() {
        assertEquals(2, Shape.of(1, 2, 3).normalizeAxis(-1));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Shape.of(1, 2).normalizeAxis(2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("rank 2"), e.getMessage());
    }
}
