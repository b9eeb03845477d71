// Pad of raw elements: MODE 0 constant (PAD_CONST, the value's bits in the tensor's dtype),
// 1 edge (clamp to the border), 2 reflect (mirror without repeating the border).

#define MAXR 8
layout(push_constant) uniform PC {
    uint rank;
    uint total;
    uint mode;
    uint vlo;
    uint vhi;
    uint odims[MAXR];
    uint idims[MAXR];
    uint pb[MAXR];
} pc;

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < pc.total; i += grid_stride()) {
        uint rem = i;
        bool inside = true;
        uint s = 0u;
        uint stride = 1u;
        for (int d = int(pc.rank) - 1; d >= 0; d--) {
            int o = int(rem % pc.odims[d]);
            rem /= pc.odims[d];
            int n = int(pc.idims[d]);
            int c = o - int(pc.pb[d]);
            if (c < 0 || c >= n) {
                if (pc.mode == 0u) {
                    inside = false;
                } else if (pc.mode == 1u) {
                    c = clamp(c, 0, n - 1);
                } else {
                    c = c < 0 ? -c : c;
                    c = c >= n ? 2 * (n - 1) - c : c;
                }
            }
            s += uint(max(c, 0)) * stride;
            stride *= uint(n);
        }
        if (inside) {
            y_d[i] = x_d[s];
        } else {
            y_d[i] = PAD_CONST;
        }
    }
}
