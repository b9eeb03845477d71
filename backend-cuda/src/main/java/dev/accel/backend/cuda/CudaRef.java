package dev.accel.backend.cuda;

/**
 * Where a pointer argument of a launch points once the kernel is dispatched: into input
 * {@code index}, output {@code index} or scratch buffer {@code index} of that dispatch, at a byte
 * offset, or nowhere (a null pointer for an absent optional input).
 */
record CudaRef(Kind kind, int index, long byteOffset) {
    /** What the reference points into. */
    enum Kind { INPUT, OUTPUT, SCRATCH, NULL }

    static final CudaRef NULL = new CudaRef(Kind.NULL, 0, 0);

    static CudaRef input(int i) {
        return new CudaRef(Kind.INPUT, i, 0);
    }

    static CudaRef output(int i) {
        return new CudaRef(Kind.OUTPUT, i, 0);
    }

    static CudaRef scratch(int i) {
        return new CudaRef(Kind.SCRATCH, i, 0);
    }

    /** The same buffer, {@code bytes} further on. */
    CudaRef plus(long bytes) {
        return new CudaRef(kind, index, byteOffset + bytes);
    }

    /** Resolves references to device addresses at dispatch time. */
    @FunctionalInterface
    interface Resolver {
        /** The device address {@code ref} denotes (0 for {@link Kind#NULL}). */
        long address(CudaRef ref);
    }
}
