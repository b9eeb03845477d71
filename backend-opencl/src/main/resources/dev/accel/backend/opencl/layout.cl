/*
 * Byte moves for any dtype: E is the element's storage (uchar, ushort, uint or ulong by size).
 * strided_copy iterates a shape of rank r; meta holds r, the r dimensions, r source strides and
 * r destination strides (in elements, possibly negative). It serves Transpose, Slice, Concat and
 * Split. pad holds r, the output dims, the input dims, the begin pads and the input strides.
 */
__kernel void strided_copy(__global const E *x, __global E *y, __global const idx_t *meta, idx_t n,
                           idx_t srcBase, idx_t dstBase) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    int r = (int) meta[0];
    idx_t rem = i;
    idx_t so = srcBase;
    idx_t dof = dstBase;
    for (int d = r - 1; d >= 0; d--) {
        idx_t dim = meta[1 + d];
        idx_t c = rem % dim;
        rem /= dim;
        so += c * meta[1 + r + d];
        dof += c * meta[1 + 2 * r + d];
    }
    y[dof] = x[so];
}

/* mode: 0 constant, 1 edge, 2 reflect. */
__kernel void pad(__global const E *x, __global E *y, __global const idx_t *meta, idx_t n, int mode, E value) {
    idx_t i = get_global_id(0);
    if (i >= n) {
        return;
    }
    int r = (int) meta[0];
    idx_t rem = i;
    idx_t so = 0;
    for (int d = r - 1; d >= 0; d--) {
        idx_t od = meta[1 + d];
        idx_t id = meta[1 + r + d];
        idx_t c = rem % od;
        rem /= od;
        idx_t s = c - meta[1 + 2 * r + d];
        if (s < 0 || s >= id) {
            if (mode == 0) {
                y[i] = value;
                return;
            } else if (mode == 1) {
                s = s < 0 ? 0 : id - 1;
            } else {
                s = s < 0 ? -s : 2 * (id - 1) - s;
            }
        }
        so += s * meta[1 + 3 * r + d];
    }
    y[i] = x[so];
}
