package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.accel.hal.op.Conv2d;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The direct convolution ({@link DirectConv}, forced on with its system property) against a float64
 * reference, on the shapes its input copy and its tiles treat differently.
 */
class DirectConvTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(DirectConv.PROPERTY);
        System.clearProperty(PlanarConv.PROPERTY);
    }


    /** Checks one convolution run direct (every image, with and without constant weights) against the reference. */
    private static void check(int[] x, int[] w, Conv2d g, boolean bias, long seed) {
        assumeTrue(Transpose16.APPLIES, "the direct form is written for 16-lane vectors");
        System.setProperty(DirectConv.PROPERTY, "on");
        // First layers would run planar (ConvKernels asks PlanarConv first).
        System.setProperty(PlanarConv.PROPERTY, "off");
        assertTrue(DirectConv.chosen(LinalgTestSupport.convGeom(x, w, g), Winograd.Mode.AUTO), "runs direct: " + Arrays.toString(w));
        LinalgChecks.conv(x, w, g, bias, seed);
    }

    @Test
    void rowsNarrowerThanAVectorAreTransposedAsOneRow() {
        // 11-wide rows: the 99 positions transposed as one row (the last block overlapping), then
        // copied out row by row; fourteen 7-position tiles and one position alone. Two channel blocks.
        check(new int[] {1, 32, 9, 11}, new int[] {32, 32, 3, 3}, Conv2d.of(1, 1, 1), true, 1);
        // A 3x3 plane (9 positions, fewer than a vector) is copied element by element.
        check(new int[] {1, 16, 3, 3}, new int[] {32, 16, 3, 3}, Conv2d.of(1, 1, 1), false, 10);
    }

    @Test
    void wideRowsAreCopiedInSixteenBySixteenBlocks() {
        // 18-wide rows: blocks at columns 0 and 2 (the second overlapping the first); two channel
        // blocks, two weight panels.
        check(new int[] {1, 32, 20, 18}, new int[] {64, 32, 3, 3}, Conv2d.of(1, 1, 1), false, 2);
    }

    @Test
    void largePlanesAreTransposedChunkByChunk() {
        // 900 positions: 129 tiles, one panel split between two threads' shares (0-64, 64-129), each
        // share's product transposed every 64 tiles; the last tile holds four positions.
        check(new int[] {1, 16, 30, 30}, new int[] {32, 16, 3, 3}, Conv2d.of(1, 1, 1), true, 11);
    }

    @Test
    void strideTwoOverTwoImages() {
        check(new int[] {2, 16, 17, 23}, new int[] {32, 16, 3, 3}, Conv2d.of(2, 1, 1), true, 3);
    }

    @Test
    void firstLayerChannelsInterleavedPerPosition() {
        // Three input channels, fewer than a vector: one block of three, runs of 7 x 3 floats.
        check(new int[] {1, 3, 23, 21}, new int[] {32, 3, 7, 7}, Conv2d.of(2, 3, 1), true, 4);
        check(new int[] {1, 3, 15, 15}, new int[] {64, 3, 3, 3}, Conv2d.of(2, 0, 1), false, 5);
    }

    @Test
    void asymmetricPaddingAndUnreadInputRows() {
        // Padding only at the bottom and right (TensorFlow's SAME with stride 2).
        check(new int[] {1, 16, 16, 16}, new int[] {32, 16, 3, 3}, new Conv2d(2, 2, 0, 0, 1, 1, 1, 1, 1), true, 6);
        // Stride 2 over 18 rows without padding reads 17 of them; the copy keeps those.
        check(new int[] {1, 16, 18, 18}, new int[] {32, 16, 3, 3}, Conv2d.of(2, 0, 1), false, 7);
    }

    @Test
    void pointwiseAndDeepKernels() {
        // A 1x1 convolution of a 7x7 plane: seven full tiles.
        check(new int[] {1, 16, 7, 7}, new int[] {64, 16, 1, 1}, Conv2d.simple(), true, 8);
        // 80 input channels of a 3x3 kernel on a small plane: 15 runs of 48 floats, K in one block
        // (weights and copy together under ONE_BLOCK_BYTES).
        check(new int[] {1, 80, 10, 12}, new int[] {32, 80, 3, 3}, Conv2d.of(1, 1, 1), true, 9);
        // 128 channels at 40x40: a 900 KB copy, so K goes in blocks of 80 KB (13 runs of 6 KB of
        // weights, then 11), the tiles' sums carried between them.
        check(new int[] {1, 128, 40, 40}, new int[] {32, 128, 3, 3}, Conv2d.of(1, 1, 1), false, 12);
    }

    @Test
    void appliesOnlyWhereItsLayoutFits() {
        assumeTrue(Transpose16.APPLIES);
        // Output channels not a multiple of a panel; input channels neither a vector multiple nor under one; groups; dilation.
        assertFalse(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 16, 9, 9}, new int[] {48, 16, 3, 3}, Conv2d.of(1, 1, 1))));
        assertFalse(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 24, 9, 9}, new int[] {32, 24, 3, 3}, Conv2d.of(1, 1, 1))));
        assertFalse(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 32, 9, 9}, new int[] {64, 16, 3, 3}, Conv2d.of(1, 1, 2))));
        assertFalse(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 16, 9, 9}, new int[] {32, 16, 3, 3},
                new Conv2d(1, 1, 2, 2, 2, 2, 2, 2, 1))));
        assertTrue(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 3, 9, 9}, new int[] {32, 3, 3, 3}, Conv2d.of(1, 1, 1))));
        // A plane whose padded copy would pass 2^30 floats (the form indexes its arrays with ints).
        assertFalse(DirectConv.applies(LinalgTestSupport.convGeom(new int[] {1, 16, 16384, 16384}, new int[] {32, 16, 3, 3}, Conv2d.of(1, 1, 1))));
        // A formulation named for 3x3 convolutions wins over the property.
        System.setProperty(DirectConv.PROPERTY, "on");
        assertFalse(DirectConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 16, 9, 9}, new int[] {32, 16, 3, 3}, Conv2d.of(1, 1, 1)),
                Winograd.Mode.IM2COL));
        assertEquals(DirectConv.NR, 32);
    }

    @Test
    void ruleOnTheBenchmarkLayers() {
        assumeTrue(Transpose16.APPLIES);
        // Taken: ResNet-50 res2 3x3, res3 3x3 stride 2, res5 3x3; SqueezeNet fire2 and fire9 3x3.
        assertTrue(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 64, 56, 56}, new int[] {64, 64, 3, 3}, Conv2d.of(1, 1, 1))));
        assertTrue(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 128, 56, 56}, new int[] {128, 128, 3, 3}, Conv2d.of(2, 1, 1))));
        assertTrue(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 512, 7, 7}, new int[] {512, 512, 3, 3}, Conv2d.of(1, 1, 1))));
        assertTrue(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 16, 55, 55}, new int[] {64, 16, 3, 3}, Conv2d.of(1, 1, 1))));
        assertTrue(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 64, 13, 13}, new int[] {256, 64, 3, 3}, Conv2d.of(1, 1, 1))));
        // Left to Winograd: res3 and res4 3x3.
        assertFalse(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 128, 28, 28}, new int[] {128, 128, 3, 3}, Conv2d.of(1, 1, 1))));
        assertFalse(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 256, 14, 14}, new int[] {256, 256, 3, 3}, Conv2d.of(1, 1, 1))));
        // Left lowered: first layers (three channels in) and 1x1 convolutions.
        assertFalse(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 7, 7}, Conv2d.of(2, 3, 1))));
        assertFalse(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {32, 3, 3, 3}, Conv2d.of(2, 1, 1))));
        assertFalse(DirectConv.preferred(LinalgTestSupport.convGeom(new int[] {1, 1024, 14, 14}, new int[] {256, 1024, 1, 1}, Conv2d.simple())));
    }
}
