package dev.accel.backend.cpu.linalg;

import dev.accel.hal.op.Conv2d;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Conv2d: every path (1x1 GEMM, im2col + GEMM, depthwise) against a float64 direct convolution. */
class ConvKernelsTest {
    private static Conv2d geo(int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int groups) {
        return new Conv2d(sh, sw, pt, pl, pb, pr, dh, dw, groups);
    }

    @Test
    void pointwiseIsADirectGemm() {
        LinalgChecks.conv(new int[] {2, 17, 5, 7}, new int[] {33, 17, 1, 1}, Conv2d.simple(), true, 1);
        LinalgChecks.conv(new int[] {1, 3, 1, 1}, new int[] {1, 3, 1, 1}, Conv2d.simple(), false, 2);
        // Grouped 1x1 (ShuffleNet style).
        LinalgChecks.conv(new int[] {1, 12, 9, 9}, new int[] {8, 3, 1, 1}, Conv2d.of(1, 0, 4), true, 3);
    }

    @Test
    void pointwiseWithFewOutputChannelsReadsItsInputInPlace() {
        // 25-128 output channels, 32-576 input channels: GemmCore reads the input's full 32-column
        // panels in place (DIRECT_MAX_ROWS), packs the last 3 columns; one image, then two images.
        LinalgChecks.conv(new int[] {1, 40, 9, 11}, new int[] {50, 40, 1, 1}, Conv2d.simple(), true, 6);
        LinalgChecks.conv(new int[] {2, 64, 7, 7}, new int[] {96, 64, 1, 1}, Conv2d.simple(), false, 7);
    }

    @Test
    void pointwiseWithPaddingGoesThroughIm2col() {
        assertFalse(StridedPointwise.applies(LinalgTestSupport.convGeom(new int[] {1, 5, 4, 4}, new int[] {7, 5, 1, 1}, geo(1, 1, 1, 0, 0, 2, 1, 1, 1))));
        LinalgChecks.conv(new int[] {1, 5, 4, 4}, new int[] {7, 5, 1, 1}, geo(1, 1, 1, 0, 0, 2, 1, 1, 1), false, 5);
        // Stride 2 with padding at the bottom and right: positions of the padding, so not a subsampling.
        assertFalse(StridedPointwise.applies(LinalgTestSupport.convGeom(new int[] {1, 8, 6, 6}, new int[] {8, 8, 1, 1}, geo(2, 2, 0, 0, 1, 1, 1, 1, 1))));
        LinalgChecks.conv(new int[] {1, 8, 6, 6}, new int[] {8, 8, 1, 1}, geo(2, 2, 0, 0, 1, 1, 1, 1, 1), true, 8);
    }

    @Test
    void aFirstLayersPaddedCopySplitsBetweenCoresByRows() {
        // Three planes of 77 padded rows (18 K floats, above ConvKernels' parallel threshold): the
        // copy's 231 rows split between two cores in the middle of plane 1, with stride 2's phases.
        ConvGeom g = LinalgTestSupport.convGeom(new int[] {1, 3, 75, 75}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 1, 1));
        assertTrue(3L * PaddedImage.planeSize(g) >= 1 << 14);
        LinalgChecks.conv(new int[] {1, 3, 75, 75}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 1, 1), true, 90);
        LinalgChecks.conv(new int[] {2, 3, 80, 81}, new int[] {16, 3, 3, 3}, Conv2d.of(1, 1, 1), false, 91);
    }

    @Test
    void stridedPointwiseRunsOnTheSubsampledInput() {
        int[][] x = {{1, 16, 9, 11}, {2, 12, 70, 69}, {1, 8, 10, 13}, {1, 6, 7, 9}, {1, 32, 14, 14}};
        int[][] w = {{24, 16, 1, 1}, {10, 6, 1, 1}, {9, 8, 1, 1}, {5, 6, 1, 1}, {64, 32, 1, 1}};
        // Odd sizes; rows wider than two vectors (35 positions: two whole vectors and a masked one),
        // two images, two groups; stride 3 (element by element); strides 2 by 1 and 1 by 2; a
        // ResNet-50 v1 downsampling shape whose last row's loads would leave the input (element by element there).
        Conv2d[] g = {Conv2d.of(2, 0, 1), Conv2d.of(2, 0, 2), Conv2d.of(3, 0, 1), geo(2, 1, 0, 0, 0, 0, 1, 1, 1),
            Conv2d.of(2, 0, 1)};
        for (int i = 0; i < x.length; i++) {
            assertTrue(StridedPointwise.applies(LinalgTestSupport.convGeom(x[i], w[i], g[i])), java.util.Arrays.toString(x[i]));
            LinalgChecks.conv(x[i], w[i], g[i], i % 2 == 0, 70 + i);
        }
        assertTrue(StridedPointwise.applies(LinalgTestSupport.convGeom(new int[] {1, 6, 7, 9}, new int[] {5, 6, 1, 1}, geo(1, 2, 0, 0, 0, 0, 1, 1, 1))));
        LinalgChecks.conv(new int[] {1, 6, 7, 9}, new int[] {5, 6, 1, 1}, geo(1, 2, 0, 0, 0, 0, 1, 1, 1), true, 79);
    }

    @Test
    void threeByThreeWithPaddingAndBias() {
        LinalgChecks.conv(new int[] {1, 3, 17, 17}, new int[] {16, 3, 3, 3}, Conv2d.of(1, 1, 1), true, 10);
        LinalgChecks.conv(new int[] {2, 8, 13, 19}, new int[] {17, 8, 3, 3}, Conv2d.of(1, 1, 1), false, 11);
    }

    @Test
    void rowsNarrowerThanAVectorAreComputedWideThenCopiedOut() {
        // 7-wide rows at stride 1, too shallow (K = 27) to run pixel-major: computed over the padded
        // row length, the first 7 of each row copied out; with 384 x 49 outputs the copy is split
        // across cores.
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 3, 7, 7}, new int[] {384, 3, 3, 3}, Conv2d.of(1, 1, 1))));
        LinalgChecks.conv(new int[] {1, 3, 7, 7}, new int[] {384, 3, 3, 3}, Conv2d.of(1, 1, 1), true, 13);
        LinalgChecks.conv(new int[] {1, 5, 6, 9}, new int[] {7, 5, 3, 3}, Conv2d.of(1, 1, 1), false, 14);
    }

    @Test
    void smallPlanesRunPixelMajor() {
        // 7x7 planes (ResNet-50 res5's shape): positions as the GEMM's rows, 49 = eight full row panels
        // and an edge panel of one row, then transposed into NCHW with the bias.
        int[][] x = {{1, 640, 7, 7}, {2, 64, 7, 7}, {1, 40, 7, 7}};
        int[][] w = {{64, 640, 1, 1}, {48, 64, 3, 3}, {320, 40, 3, 3}};
        Conv2d[] g = {Conv2d.simple(), Conv2d.of(1, 1, 1), Conv2d.of(1, 1, 1)};
        for (int i = 0; i < x.length; i++) {
            assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(x[i], w[i], g[i])), "pixel-major: " + java.util.Arrays.toString(w[i]));
        }
        LinalgChecks.conv(x[0], w[0], g[0], true, 15);
        // Two images; 48 output channels: a last column panel a vector wide.
        LinalgChecks.conv(x[1], w[1], g[1], false, 16);
        // 320 channels split across threads, each packing the lowered input (49 x 360) itself.
        LinalgChecks.conv(x[2], w[2], g[2], true, 17);
        // Groups: per image and group one pixel-major GEMM, the group's bias and output channels;
        // with 4 images times 2 groups the items run in parallel, each GEMM on one thread.
        Conv2d grouped = Conv2d.of(1, 0, 2);
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {2, 256, 7, 7}, new int[] {512, 128, 1, 1}, grouped)));
        LinalgChecks.conv(new int[] {2, 256, 7, 7}, new int[] {512, 128, 1, 1}, grouped, true, 18);
        LinalgChecks.conv(new int[] {4, 256, 7, 7}, new int[] {512, 128, 1, 1}, grouped, true, 19);
        // 14x14 planes of few channels, and shallow layers, stay channel-major.
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 64, 14, 14}, new int[] {96, 64, 1, 1}, Conv2d.simple())));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 3, 17, 17}, new int[] {16, 3, 3, 3}, Conv2d.of(1, 1, 1))));
    }

    @Test
    void pixelMajorRuleOnTheBenchmarkLayers() {
        // The decisions Experiments pixel-major measured (ConvKernels.pixelMajor), at 16 lanes.
        assumeTrue(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16, "the rule's figures are for 512-bit vectors");
        Conv2d same3 = Conv2d.of(1, 1, 1);
        Conv2d one = Conv2d.simple();
        // ResNet-50 res5 3x3 and 1x1, MobileNetV2 320-1280 (7x7), res4 1x1 (14x14), SqueezeNet fire9 3x3 (13x13).
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 512, 7, 7}, new int[] {512, 512, 3, 3}, same3)));
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 2048, 7, 7}, new int[] {512, 2048, 1, 1}, one)));
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 512, 7, 7}, new int[] {2048, 512, 1, 1}, one)));
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 320, 7, 7}, new int[] {1280, 320, 1, 1}, one)));
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 1024, 14, 14}, new int[] {256, 1024, 1, 1}, one)));
        assertTrue(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 64, 13, 13}, new int[] {256, 64, 3, 3}, same3)));
        // SqueezeNet conv10 and fire9 1x1 (13x13), MobileNetV2 576-96 (14x14), res3 1x1 (28x28), large planes, first layers.
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 512, 13, 13}, new int[] {1000, 512, 1, 1}, one)));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 576, 14, 14}, new int[] {96, 576, 1, 1}, one)));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 512, 28, 28}, new int[] {128, 512, 1, 1}, one)));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 512, 13, 13}, new int[] {64, 512, 1, 1}, one)));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 64, 56, 56}, new int[] {64, 64, 1, 1}, one)));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 7, 7}, Conv2d.of(2, 3, 1))));
        assertFalse(ConvKernels.pixelMajor(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {32, 3, 3, 3}, Conv2d.of(2, 1, 1))));
    }


    @Test
    void manyOutputChannelsShareOnePackedInput() {
        // 160 output channels of a 28x28 plane (stride 2), split across threads along the channels,
        // the lowered input (784 x 720, above GemmCore.MIN_SHARED_B) packed once for both. (The rule
        // would run this shape direct; the property keeps it lowered.)
        System.setProperty(DirectConv.PROPERTY, "off");
        try {
            LinalgChecks.conv(new int[] {1, 80, 56, 56}, new int[] {160, 80, 3, 3}, Conv2d.of(2, 1, 1), true, 12);
        } finally {
            System.clearProperty(DirectConv.PROPERTY);
        }
    }

    @Test
    void strideTwo() {
        LinalgChecks.conv(new int[] {1, 4, 17, 18}, new int[] {9, 4, 3, 3}, Conv2d.of(2, 1, 1), true, 20);
        LinalgChecks.conv(new int[] {1, 3, 23, 23}, new int[] {8, 3, 7, 7}, geo(2, 2, 3, 3, 3, 3, 1, 1, 1), true, 21);
        LinalgChecks.conv(new int[] {1, 2, 9, 12}, new int[] {3, 2, 2, 3}, geo(3, 2, 0, 0, 0, 0, 1, 1, 1), false, 22);
    }

    @Test
    void asymmetricPads() {
        LinalgChecks.conv(new int[] {1, 5, 11, 9}, new int[] {6, 5, 3, 3}, geo(1, 1, 0, 1, 2, 1, 1, 1, 1), true, 30);
        LinalgChecks.conv(new int[] {2, 3, 7, 10}, new int[] {4, 3, 2, 4}, geo(1, 2, 2, 0, 1, 3, 1, 1, 1), false, 31);
    }

    @Test
    void dilation() {
        LinalgChecks.conv(new int[] {1, 4, 15, 16}, new int[] {5, 4, 3, 3}, geo(1, 1, 2, 2, 2, 2, 2, 2, 1), true, 40);
        LinalgChecks.conv(new int[] {1, 3, 14, 13}, new int[] {4, 3, 3, 2}, geo(2, 1, 1, 0, 0, 1, 3, 2, 1), false, 41);
    }

    @Test
    void groups() {
        LinalgChecks.conv(new int[] {1, 8, 10, 10}, new int[] {12, 4, 3, 3}, Conv2d.of(1, 1, 2), true, 50);
        LinalgChecks.conv(new int[] {2, 6, 9, 7}, new int[] {9, 2, 3, 3}, geo(2, 1, 1, 0, 1, 2, 1, 1, 3), false, 51);
        // Enough images times groups to run them in parallel, each GEMM on one thread.
        LinalgChecks.conv(new int[] {4, 16, 6, 6}, new int[] {16, 2, 3, 3}, Conv2d.of(1, 1, 8), true, 52);
        // Depthwise with a channel multiplier (groups == C, M = 2C) takes the grouped path.
        LinalgChecks.conv(new int[] {1, 5, 9, 9}, new int[] {10, 1, 3, 3}, Conv2d.of(1, 1, 5), true, 53);
    }

    @Test
    void depthwise() {
        LinalgChecks.conv(new int[] {1, 7, 17, 19}, new int[] {7, 1, 3, 3}, Conv2d.of(1, 1, 7), true, 60);
        LinalgChecks.conv(new int[] {2, 5, 17, 40}, new int[] {5, 1, 3, 3}, Conv2d.of(2, 1, 5), false, 61);
        LinalgChecks.conv(new int[] {1, 4, 20, 37}, new int[] {4, 1, 5, 5}, geo(1, 1, 2, 1, 0, 3, 1, 1, 4), true, 62);
        LinalgChecks.conv(new int[] {1, 3, 21, 45}, new int[] {3, 1, 3, 3}, geo(1, 2, 2, 2, 2, 2, 2, 2, 3), true, 63);
        LinalgChecks.conv(new int[] {1, 3, 19, 50}, new int[] {3, 1, 3, 5}, geo(3, 3, 1, 2, 0, 1, 1, 2, 3), false, 64);
        LinalgChecks.conv(new int[] {1, 2, 1, 1}, new int[] {2, 1, 1, 1}, Conv2d.of(1, 0, 2), true, 65);
        // Stride 2 without padding (even and odd phases in the other order), wide rows, rows of one vector.
        LinalgChecks.conv(new int[] {1, 3, 9, 70}, new int[] {3, 1, 3, 3}, Conv2d.of(2, 0, 3), true, 66);
        LinalgChecks.conv(new int[] {1, 2, 8, 33}, new int[] {2, 1, 3, 3}, Conv2d.of(2, 1, 2), false, 67);
        LinalgChecks.conv(new int[] {2, 4, 16, 16}, new int[] {4, 1, 3, 3}, Conv2d.of(1, 1, 4), true, 68);
        // Stride 2 rows read straight from the input: a full first vector and a partial second, odd widths, small planes.
        LinalgChecks.conv(new int[] {1, 3, 6, 50}, new int[] {3, 1, 3, 3}, Conv2d.of(2, 1, 3), true, 69);
        LinalgChecks.conv(new int[] {1, 3, 5, 49}, new int[] {3, 1, 3, 3}, Conv2d.of(2, 0, 3), false, 169);
        LinalgChecks.conv(new int[] {1, 20, 14, 14}, new int[] {20, 1, 3, 3}, Conv2d.of(2, 1, 20), true, 170);
        LinalgChecks.conv(new int[] {1, 20, 7, 7}, new int[] {20, 1, 3, 3}, Conv2d.of(2, 1, 20), true, 171);
    }

    @Test
    void narrowRowsComputeOverPaddedRows() {
        // Stride 1, output rows narrower than a vector: the GEMM runs over padded rows and keeps ow of each.
        LinalgChecks.conv(new int[] {1, 16, 7, 7}, new int[] {20, 16, 3, 3}, Conv2d.of(1, 1, 1), true, 90);
        LinalgChecks.conv(new int[] {2, 8, 14, 14}, new int[] {9, 8, 3, 3}, Conv2d.of(1, 1, 1), false, 91);
        LinalgChecks.conv(new int[] {1, 3, 9, 9}, new int[] {4, 3, 3, 3}, geo(1, 1, 2, 2, 2, 2, 2, 2, 1), true, 92);
        LinalgChecks.conv(new int[] {1, 8, 6, 6}, new int[] {12, 4, 3, 3}, Conv2d.of(1, 1, 2), true, 93);
        LinalgChecks.convInteger(new int[] {1, 6, 7, 7}, new int[] {5, 6, 3, 3}, Conv2d.of(1, 1, 1), dev.accel.hal.DType.U8,
                dev.accel.hal.DType.I8, true, 94);
        LinalgChecks.qlinearConv(new int[] {1, 6, 7, 7}, new int[] {5, 6, 3, 3}, Conv2d.of(1, 1, 1), dev.accel.hal.DType.U8,
                dev.accel.hal.DType.I8, dev.accel.hal.DType.U8, true, true, 95);
    }

    @Test
    void largeInputIsLoweredInChunks() {
        // 16 * 9 = 144 rows by 96 * 96 = 9216 positions exceed the 2^20-float im2col chunk.
        LinalgChecks.conv(new int[] {1, 16, 96, 96}, new int[] {4, 16, 3, 3}, Conv2d.of(1, 1, 1), true, 70);
    }

    @Test
    void emptyBatch() {
        LinalgChecks.conv(new int[] {0, 3, 5, 5}, new int[] {4, 3, 3, 3}, Conv2d.of(1, 1, 1), true, 80);
    }
}
