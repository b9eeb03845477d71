package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.op.Conv2d;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The planar convolution ({@link PlanarConv}) against a float64 reference ({@link LinalgChecks#conv}:
 * every image, with constant weights and with weights given at run time), on the shapes its phase
 * copy and its tiles treat differently.
 */
class PlanarConvTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(PlanarConv.PROPERTY);
    }


    private static void check(int[] x, int[] w, Conv2d g, boolean bias, long seed) {
        assertTrue(PlanarConv.chosen(LinalgTestSupport.convGeom(x, w, g), Winograd.Mode.AUTO), "runs planar: " + Arrays.toString(x) + " " + Arrays.toString(w));
        LinalgChecks.conv(x, w, g, bias, seed);
    }

    @Test
    void firstLayersAtStrideTwo() {
        // SqueezeNet 1.1's conv1 (3x3, no padding) and MobileNetV2's conv0 (3x3, padding 1) on a
        // smaller image: 19 and 20 output rows (bands of 10 and 9 on two cores) of as many outputs,
        // a one-vector tile and a masked one, or a two-vector tile and a tail, by lane count.
        check(new int[] {1, 3, 39, 39}, new int[] {64, 3, 3, 3}, Conv2d.of(2, 0, 1), true, 1);
        check(new int[] {1, 3, 40, 40}, new int[] {32, 3, 3, 3}, Conv2d.of(2, 1, 1), false, 2);
        // ResNet-50's conv1: 7x7, padding 3, 147 taps; the phases read columns kx / 2 to the right.
        check(new int[] {1, 3, 45, 45}, new int[] {64, 3, 7, 7}, Conv2d.of(2, 3, 1), true, 3);
    }

    @Test
    void strideOneAndThreeAndRectangularKernels() {
        // Stride 1: one phase, rows copied in bulk; 5x3 kernel with rows of 70 outputs (tiles of
        // two vectors and a tail of one).
        check(new int[] {1, 1, 12, 72}, new int[] {8, 1, 5, 3}, Conv2d.of(1, 0, 1), true, 4);
        // Stride 3 (forced on: the rule leaves it lowered): three phases, copied element by element;
        // rows narrower than a vector.
        System.setProperty(PlanarConv.PROPERTY, "on");
        check(new int[] {1, 2, 17, 14}, new int[] {16, 2, 3, 3}, Conv2d.of(3, 1, 1), true, 5);
        System.clearProperty(PlanarConv.PROPERTY);
        // One output row and column: a single band, whatever the core count.
        check(new int[] {1, 3, 3, 3}, new int[] {8, 3, 3, 3}, Conv2d.of(1, 0, 1), true, 8);
    }

    @Test
    void asymmetricPaddingEightChannelsAndTwoImages() {
        // Padding only at the bottom and right, stride 2 (TensorFlow's SAME); eight input channels.
        check(new int[] {2, 8, 16, 34}, new int[] {24, 8, 3, 3}, new Conv2d(2, 2, 0, 0, 1, 1, 1, 1, 1), false, 6);
        // Padding wider than the kernel reaches (whole zero rows and columns in the output).
        check(new int[] {1, 3, 6, 6}, new int[] {8, 3, 3, 3}, new Conv2d(1, 1, 4, 4, 4, 4, 1, 1, 1), true, 7);
    }

    @Test
    void appliesOnlyWhereItsLayoutFits() {
        // More than eight input channels, output channels not a multiple of MR, 1x1, groups, dilation.
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 16, 9, 9}, new int[] {32, 16, 3, 3}, Conv2d.of(1, 1, 1))));
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 3, 9, 9}, new int[] {12, 3, 3, 3}, Conv2d.of(1, 1, 1))));
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 3, 9, 9}, new int[] {16, 3, 1, 1}, Conv2d.simple())));
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 4, 9, 9}, new int[] {16, 2, 3, 3}, Conv2d.of(1, 1, 2))));
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 3, 9, 9}, new int[] {16, 3, 3, 3}, new Conv2d(1, 1, 1, 1, 1, 1, 2, 2, 1))));
        // A copy that would pass 2^30 floats.
        assertFalse(PlanarConv.applies(LinalgTestSupport.convGeom(new int[] {1, 8, 16384, 16384}, new int[] {16, 8, 3, 3}, Conv2d.of(1, 1, 1))));
        // The benchmark's first layers run planar; a named 3x3 formulation and the property turn it off.
        assertTrue(PlanarConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 7, 7}, Conv2d.of(2, 3, 1)), Winograd.Mode.AUTO));
        assertTrue(PlanarConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {32, 3, 3, 3}, Conv2d.of(2, 1, 1)), Winograd.Mode.AUTO));
        assertTrue(PlanarConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 3, 3}, Conv2d.of(2, 0, 1)), Winograd.Mode.AUTO));
        assertFalse(PlanarConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 3, 3}, Conv2d.of(2, 0, 1)), Winograd.Mode.IM2COL));
        // AlexNet's conv1 (stride 4) is left lowered unless forced.
        ConvGeom alex = LinalgTestSupport.convGeom(new int[] {1, 3, 227, 227}, new int[] {96, 3, 11, 11}, Conv2d.of(4, 0, 1));
        assertTrue(PlanarConv.applies(alex));
        assertFalse(PlanarConv.chosen(alex, Winograd.Mode.AUTO));
        System.setProperty(PlanarConv.PROPERTY, "on");
        assertTrue(PlanarConv.chosen(alex, Winograd.Mode.AUTO));
        System.setProperty(PlanarConv.PROPERTY, "off");
        assertFalse(PlanarConv.chosen(LinalgTestSupport.convGeom(new int[] {1, 3, 224, 224}, new int[] {64, 3, 3, 3}, Conv2d.of(2, 0, 1)), Winograd.Mode.AUTO));
    }
}
