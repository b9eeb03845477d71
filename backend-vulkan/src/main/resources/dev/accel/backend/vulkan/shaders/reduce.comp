// Mean over the reduced dimensions (ReduceMean, GlobalAveragePool): one work group per output
// element (grid-stride), its invocations striding through the reduced index space, then a tree
// sum in shared memory. kdims / kstr describe the kept dimensions (row-major order of the output),
// rdims / rstr the reduced ones, both with the input's element strides.

#define MAXR 6
layout(push_constant) uniform PC {
    uint outN;
    uint redN;
    uint krank;
    uint rrank;
    uint kdims[MAXR];
    uint kstr[MAXR];
    uint rdims[MAXR];
    uint rstr[MAXR];
} pc;

shared float partial[gl_WorkGroupSize.x];

void main() {
    uint lid = gl_LocalInvocationID.x;
    for (uint o = gl_WorkGroupID.x; o < pc.outN; o += gl_NumWorkGroups.x) {
        uint rem = o;
        uint base = 0u;
        for (int d = int(pc.krank) - 1; d >= 0; d--) {
            base += (rem % pc.kdims[d]) * pc.kstr[d];
            rem /= pc.kdims[d];
        }
        float s = 0.0;
        for (uint r = lid; r < pc.redN; r += gl_WorkGroupSize.x) {
            uint rr = r;
            uint off = base;
            for (int d = int(pc.rrank) - 1; d >= 0; d--) {
                off += (rr % pc.rdims[d]) * pc.rstr[d];
                rr /= pc.rdims[d];
            }
            s += ld_x(off);
        }
        partial[lid] = s;
        barrier();
        for (uint w = gl_WorkGroupSize.x / 2u; w > 0u; w /= 2u) {
            if (lid < w) {
                partial[lid] += partial[lid + w];
            }
            barrier();
        }
        if (lid == 0u) {
            st_y(o, partial[0] / float(pc.redN));
        }
        barrier();
    }
}
