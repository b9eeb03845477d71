package dev.accel.backend.cuda;

/**
 * A GPU's compute capability, and what this backend's kernels can use on it: tensor-core GEMM
 * (mma.sync m16n8k16 with ldmatrix and cp.async) needs 8.0, dp4a 6.1.
 */
record CudaArch(int major, int minor) {
    /** Compute capability 9.0, for planning without a GPU. */
    static final CudaArch SM90 = new CudaArch(9, 0);

    boolean tensorCores() {
        return major >= 8;
    }

    boolean dp4a() {
        return major > 6 || (major == 6 && minor >= 1);
    }

    /** "sm_90". */
    String sm() {
        return "sm_" + major + minor;
    }

    /** "compute_90", the virtual architecture NVRTC compiles for. */
    String compute() {
        return "compute_" + major + minor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
