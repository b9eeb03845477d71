// Strided copy of raw elements (any dtype of 1, 2, 4 or 8 bytes): for every index tuple c over
// dims, dst[dstOff + sum c*ds] = src[srcOff + sum c*ss]. Strides may be negative (Slice with
// negative steps). Transpose, Slice, Concat and Split are all this shader.

#define MAXR 8
layout(push_constant) uniform PC {
    uint rank;
    uint total;
    int srcOff;
    int dstOff;
    uint dims[MAXR];
    int ss[MAXR];
    int ds[MAXR];
} pc;

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.total; i += grid_stride()) {
        uint rem = i;
        int s = pc.srcOff;
        int d = pc.dstOff;
        for (int r = int(pc.rank) - 1; r >= 0; r--) {
            int c = int(rem % pc.dims[r]);
            rem /= pc.dims[r];
            s += c * pc.ss[r];
            d += c * pc.ds[r];
        }
        dst_d[d] = src_d[s];
    }
}
