package dev.accel.backend.opencl;

import java.util.ArrayList;
import java.util.List;

/**
 * GEMM tile shapes for one device, derived from its limits: a candidate fits when its work-group
 * ({@code (tn / wn) x (tm / wm)} items) fits CL_DEVICE_MAX_WORK_GROUP_SIZE and the per-dimension
 * item limits, and its two local tiles fit half of CL_DEVICE_LOCAL_MEM_SIZE. Larger tiles reuse
 * more data per load; matrices smaller than a tile get a smaller one so few items idle.
 */
final class OclTiles {
    /** One tile shape: TM x TN outputs per work-group, TK-deep slabs, WM x WN outputs per item. */
    record Tile(int tm, int tn, int tk, int wm, int wn) {
        int lx() {
            return tn / wn;
        }

        int ly() {
            return tm / wm;
        }

        int threads() {
            return lx() * ly();
        }

        long localBytes() {
            return 4L * tk * (tm + tn);
        }

        String options() {
            return "-DTM=" + tm + " -DTN=" + tn + " -DTK=" + tk + " -DWM=" + wm + " -DWN=" + wn;
        }
    }

    /** Largest first. */
    private static final List<Tile> CANDIDATES = List.of(
            new Tile(64, 64, 16, 4, 4),
            new Tile(32, 32, 16, 2, 2),
            new Tile(16, 16, 16, 2, 2),
            new Tile(8, 8, 8, 2, 2),
            new Tile(4, 4, 4, 1, 1),
            new Tile(1, 1, 1, 1, 1));

    /** A register block of the barrier-free kernel: RM rows x CN vectors of VW floats per work item. */
    record Block(int rm, int cn, int vw) {
        String options() {
            return "-DRM=" + rm + " -DCN=" + cn + " -DVW=" + vw;
        }
    }

    private final List<Tile> fitting;
    private volatile boolean registerBlocked;
    private final Block block;

    OclTiles(OclInfo cl) {
        // Devices whose "local" memory is global memory (CL_GLOBAL) gain nothing from local tiles.
        String mode = System.getProperty("accel.opencl.gemm", "auto");
        this.registerBlocked = mode.equals("auto") ? !cl.dedicatedLocalMemory() : mode.equals("registers");
        // Vector width from the device; 8 rows of 2 vectors keep 16 accumulators in 32 registers
        // (AVX-512), 4 rows fit 16 (AVX2, NEON).
        int vw = Integer.highestOneBit(Math.clamp(cl.nativeFloatWidth(), 4, 16));
        this.block = parseBlock(System.getProperty("accel.opencl.gemm.block"), new Block(vw >= 16 ? 8 : 4, 2, vw));
        List<Tile> f = new ArrayList<>();
        for (Tile t : CANDIDATES) {
            if (t.threads() <= cl.maxWorkGroupSize() && t.lx() <= cl.maxWorkItemSizes()[0]
                    && t.ly() <= cl.maxWorkItemSizes()[1] && t.localBytes() <= cl.localMemBytes() / 2) {
                f.add(t);
            }
        }
        if (f.isEmpty()) {
            f.add(CANDIDATES.getLast());
        }
        this.fitting = List.copyOf(f);
    }

    /** A block from "RM,CN,VW" (a tuning knob), or the default. */
    private static Block parseBlock(String spec, Block dflt) {
        if (spec == null || spec.isBlank()) {
            return dflt;
        }
        String[] p = spec.split(",");
        return new Block(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()));
    }

    /** True when float products use the register-blocked kernel (system property accel.opencl.gemm: auto, registers, tiles). */
    boolean registerBlocked() {
        return registerBlocked;
    }

    /** Switches the kernel family for products prepared from now on (tests exercise both on one device). */
    void useRegisterBlocks(boolean on) {
        this.registerBlocked = on;
    }

    Block block() {
        return block;
    }

    /**
     * The tiles to try for an M x N product, best first: the fitting tiles no larger than the
     * matrix (16 x 16 always qualifies, so small matrices share one program), then the smaller
     * ones, since a built kernel may allow fewer work items than the device.
     */
    List<Tile> forShape(long m, long n) {
        List<Tile> out = new ArrayList<>();
        for (Tile t : fitting) {
            if (t.tm() <= Math.max(16, m) && t.tn() <= Math.max(16, n)) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            out.add(fitting.getLast());
        }
        return out;
    }
}
