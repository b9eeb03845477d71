package dev.accel.backend.cpu.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane-index vectors for two-vector permutes ({@code index.selectFrom(v0, v1)}, one {@code vpermt2ps}
 * on AVX-512), which de-interleave a stride-2 row: the even-indexed elements of {@code v0 ++ v1} in
 * one vector, the odd-indexed ones in another.
 *
 * <p>This replaced {@code compress} by an even-lane mask (two compresses and two overlapping stores
 * per output vector): on this project's AMD Zen machine the stride-2 row split with compress cost
 * about three times the depthwise arithmetic it fed.
 */
final class Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final float[] EVENS = new float[F.length()];
    private static final float[] ODDS = new float[F.length()];

    static {
        for (int i = 0; i < F.length(); i++) {
            EVENS[i] = 2 * i;
            ODDS[i] = 2 * i + 1;
        }
    }

    private Lanes() {
    }

    /** Lanes {@code 0, 2, 4, ...}: with {@code selectFrom(v0, v1)}, the even elements of {@code v0 ++ v1}. */
    static FloatVector evens() {
        return FloatVector.fromArray(F, EVENS, 0);
    }

    /** Lanes {@code 1, 3, 5, ...}: with {@code selectFrom(v0, v1)}, the odd elements of {@code v0 ++ v1}. */
    static FloatVector odds() {
        return FloatVector.fromArray(F, ODDS, 0);
    }
}
