package dev.accel.backend.cpu.kernels;

import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Unary;

/**
 * Runs the twin comparisons of every kernel family in this JVM, whatever its vector width: the
 * entry point of the child JVMs of {@link NarrowSpeciesTest}. Exits non-zero on the first failure.
 */
public final class NarrowKernelsCheck {
    private NarrowKernelsCheck() {
    }

    public static void main(String[] args) {
        System.out.println("lanes=" + Vec.L + " byteLanes=" + Vec.B.length() + " ");
        UnaryKernelsTest unary = new UnaryKernelsTest();
        for (Unary.Kind k : Unary.Kind.values()) {
            unary.vectorMatchesScalarOnOddSizes(k);
        }
        unary.erfIsAccurateToAboutOneTenMillionthOnBothForms();
        BinaryKernelsTest binary = new BinaryKernelsTest();
        for (Binary.Kind k : Binary.Kind.values()) {
            binary.vectorMatchesScalarOverBroadcastShapes(k);
        }
        binary.handComputedBroadcasts();
        CastQuantKernelsTest cq = new CastQuantKernelsTest();
        cq.everyPairOfDtypesHasEqualTwins();
        cq.quantizeTwinsAgreeOnOddSizesAndAxes();
        cq.quantizeAndDequantizePerAxis();
        NormKernelsTest norm = new NormKernelsTest();
        norm.softmaxTwinsAgreeAlongAndAcrossRows();
        norm.layerNormTwinsAgree();
        norm.reduceMeanTwinsAgreeWithADoubleReference();
        norm.lrnTwinsAgree();
        PoolKernelsTest pool = new PoolKernelsTest();
        pool.twinsAgreeOverAttributeCombinations();
        pool.strideTwoPoolingMatchesTheScalarTwinAroundTheVectorWidth();
        new AttentionKernelsTest().twinsAgreeWithADoubleReference();
        System.out.println("all checks passed");
    }
}
