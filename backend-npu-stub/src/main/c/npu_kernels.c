/*
 * npu_kernels.c: the NPU's compute units, simulated. Float16 kernels load half values, multiply
 * and accumulate in single precision and round results to half. Quantized kernels subtract zero
 * points, accumulate in a saturating 32-bit accumulator, and requantize: round half to even, add
 * the output zero point, saturate. Shapes and attributes were checked at compile time.
 */
#include "npu_internal.h"

#include <math.h>
#include <string.h>

static inline float ld_h(const unsigned char *p, int64_t i) {
    uint16_t v;
    memcpy(&v, p + 2 * i, sizeof v);
    return npu_half_lut[v];
}

static inline void st_h(unsigned char *p, int64_t i, float f) {
    uint16_t v = npu_float_to_half(f);
    memcpy(p + 2 * i, &v, sizeof v);
}

static inline int32_t ld_q(const npu_tview *t, int64_t i) {
    return t->desc->dtype == NPU_DTYPE_INT8 ? (int32_t)(int8_t)t->data[i] : (int32_t)t->data[i];
}

static inline int32_t ld_i32(const unsigned char *p, int64_t i) {
    int32_t v;
    memcpy(&v, p + 4 * i, sizeof v);
    return v;
}

static inline double q_scale(const npu_tview *t, int64_t c) {
    return (double)t->scales[t->qcount == 1 ? 0 : c];
}

static inline int32_t q_zero(const npu_tview *t, int64_t c) {
    return t->zero_points == NULL ? 0 : t->zero_points[t->qcount == 1 ? 0 : c];
}

/* round half to even, add the zero point, saturate to the 8-bit type */
static inline void st_q(const npu_tview *t, int64_t i, double v, int32_t zero_point) {
    double lo = t->desc->dtype == NPU_DTYPE_INT8 ? -128.0 : 0.0;
    double hi = t->desc->dtype == NPU_DTYPE_INT8 ? 127.0 : 255.0;
    double r = isnan(v) ? 0.0 : nearbyint(v) + zero_point;
    r = r < lo ? lo : (r > hi ? hi : r);
    int32_t q = (int32_t)r;
    t->data[i] = (unsigned char)(t->desc->dtype == NPU_DTYPE_INT8 ? (uint8_t)(int8_t)q : (uint8_t)q);
}

static inline int64_t saturate_i32(int64_t acc) {
    return acc > INT32_MAX ? INT32_MAX : (acc < INT32_MIN ? INT32_MIN : acc);
}

static void conv2d(const npu_node_desc *n, const npu_tview *const *in, const npu_tview *y) {
    const npu_tview *x = in[0], *w = in[1], *b = n->num_inputs == 3 ? in[2] : NULL;
    const int64_t *a = n->iattrs;
    int64_t N = x->desc->dims[0], C = x->desc->dims[1], H = x->desc->dims[2], W = x->desc->dims[3];
    int64_t M = w->desc->dims[0], KH = w->desc->dims[2], KW = w->desc->dims[3];
    int64_t OH = y->desc->dims[2], OW = y->desc->dims[3];
    int64_t G = a[NPU_ATTR_GROUPS], CG = C / G, MG = M / G;
    int64_t sh = a[NPU_ATTR_STRIDE_H], sw = a[NPU_ATTR_STRIDE_W], pt = a[NPU_ATTR_PAD_TOP], pl = a[NPU_ATTR_PAD_LEFT];
    int64_t dh = a[NPU_ATTR_DILATION_H], dw = a[NPU_ATTR_DILATION_W];
    int quant = x->desc->dtype != NPU_DTYPE_FLOAT16;
    for (int64_t bn = 0; bn < N; bn++) {
        for (int64_t m = 0; m < M; m++) {
            int64_t g = m / MG;
            int32_t xz = quant ? q_zero(x, 0) : 0, wz = quant ? q_zero(w, m) : 0;
            double mult = quant ? q_scale(x, 0) * q_scale(w, m) / q_scale(y, 0) : 0.0;
            for (int64_t oh = 0; oh < OH; oh++) {
                for (int64_t ow = 0; ow < OW; ow++) {
                    int64_t iacc = 0;
                    float facc = 0.0f;
                    for (int64_t c = 0; c < CG; c++) {
                        int64_t xc = ((bn * C) + g * CG + c) * H;
                        int64_t wc = ((m * CG) + c) * KH;
                        for (int64_t kh = 0; kh < KH; kh++) {
                            int64_t ih = oh * sh - pt + kh * dh;
                            if (ih < 0 || ih >= H) {
                                continue;
                            }
                            for (int64_t kw = 0; kw < KW; kw++) {
                                int64_t iw = ow * sw - pl + kw * dw;
                                if (iw < 0 || iw >= W) {
                                    continue;
                                }
                                int64_t xi = (xc + ih) * W + iw, wi = (wc + kh) * KW + kw;
                                if (quant) {
                                    iacc = saturate_i32(iacc + (int64_t)(ld_q(x, xi) - xz) * (ld_q(w, wi) - wz));
                                } else {
                                    facc += ld_h(x->data, xi) * ld_h(w->data, wi);
                                }
                            }
                        }
                    }
                    int64_t yi = ((bn * M + m) * OH + oh) * OW + ow;
                    if (quant) {
                        if (b != NULL) {
                            iacc = saturate_i32(iacc + ld_i32(b->data, m));
                        }
                        st_q(y, yi, (double)iacc * mult, q_zero(y, 0));
                    } else {
                        st_h(y->data, yi, b != NULL ? facc + ld_h(b->data, m) : facc);
                    }
                }
            }
        }
    }
}

/* Element strides of t's leading (batch) dimensions, right-aligned to rank r and 0 where broadcast. */
static void batch_strides(const npu_tensor_desc *t, int32_t keep, const npu_tensor_desc *y, int64_t *strides) {
    int32_t r = y->rank - keep;
    int32_t off = (y->rank - keep) - (t->rank - keep);
    int64_t s = 1;
    for (int32_t i = t->rank - 1; i >= t->rank - keep; i--) {
        s *= t->dims[i];
    }
    for (int32_t i = r - 1; i >= 0; i--) {
        int32_t ti = i - off;
        if (ti < 0) {
            strides[i] = 0;
        } else {
            strides[i] = t->dims[ti] == 1 ? 0 : s;
            s *= t->dims[ti];
        }
    }
}

static void matmul(const npu_tview *const *in, const npu_tview *y) {
    const npu_tview *A = in[0], *B = in[1];
    const npu_tensor_desc *yd = y->desc;
    int64_t M = A->desc->dims[A->desc->rank - 2], K = A->desc->dims[A->desc->rank - 1];
    int64_t N = B->desc->dims[B->desc->rank - 1];
    int64_t sa[NPU_MAX_RANK] = {0}, sb[NPU_MAX_RANK] = {0}, idx[NPU_MAX_RANK] = {0};
    batch_strides(A->desc, 2, yd, sa);
    batch_strides(B->desc, 2, yd, sb);
    int32_t br = yd->rank - 2;
    int64_t batches = 1;
    for (int32_t i = 0; i < br; i++) {
        batches *= yd->dims[i];
    }
    int quant = A->desc->dtype != NPU_DTYPE_FLOAT16;
    int32_t az = quant ? q_zero(A, 0) : 0;
    int64_t oa = 0, ob = 0;
    for (int64_t bt = 0; bt < batches; bt++) {
        for (int64_t i = 0; i < M; i++) {
            for (int64_t j = 0; j < N; j++) {
                int64_t yi = (bt * M + i) * N + j;
                if (quant) {
                    int32_t bz = q_zero(B, j);
                    int64_t acc = 0;
                    for (int64_t k = 0; k < K; k++) {
                        acc = saturate_i32(acc + (int64_t)(ld_q(A, oa + i * K + k) - az) * (ld_q(B, ob + k * N + j) - bz));
                    }
                    st_q(y, yi, (double)acc * (q_scale(A, 0) * q_scale(B, j) / q_scale(y, 0)), q_zero(y, 0));
                } else {
                    float acc = 0.0f;
                    for (int64_t k = 0; k < K; k++) {
                        acc += ld_h(A->data, oa + i * K + k) * ld_h(B->data, ob + k * N + j);
                    }
                    st_h(y->data, yi, acc);
                }
            }
        }
        for (int32_t d = br - 1; d >= 0; d--) {
            idx[d]++;
            oa += sa[d];
            ob += sb[d];
            if (idx[d] < yd->dims[d]) {
                break;
            }
            oa -= sa[d] * yd->dims[d];
            ob -= sb[d] * yd->dims[d];
            idx[d] = 0;
        }
    }
}

static void gemm(const npu_node_desc *n, const npu_tview *const *in, const npu_tview *y) {
    const npu_tview *A = in[0], *B = in[1], *Cv = n->num_inputs == 3 ? in[2] : NULL;
    int ta = n->iattrs[0] != 0, tb = n->iattrs[1] != 0;
    float alpha = (float)n->fattrs[0], beta = (float)n->fattrs[1];
    int64_t M = y->desc->dims[0], N = y->desc->dims[1];
    int64_t K = ta ? A->desc->dims[0] : A->desc->dims[1];
    int64_t cm = 0, cn = 0; /* strides of C over [M, N], 0 where broadcast */
    if (Cv != NULL) {
        const npu_tensor_desc *c = Cv->desc;
        if (c->rank >= 1) {
            cn = c->dims[c->rank - 1] == 1 ? 0 : 1;
        }
        if (c->rank == 2) {
            cm = c->dims[0] == 1 ? 0 : c->dims[1];
        }
    }
    for (int64_t i = 0; i < M; i++) {
        for (int64_t j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int64_t k = 0; k < K; k++) {
                float av = ld_h(A->data, ta ? k * M + i : i * K + k);
                float bv = ld_h(B->data, tb ? j * K + k : k * N + j);
                acc += av * bv;
            }
            float r = alpha * acc;
            if (Cv != NULL) {
                r += beta * ld_h(Cv->data, i * cm + j * cn);
            }
            st_h(y->data, i * N + j, r);
        }
    }
}

static void binary(int32_t op, const npu_tview *a, const npu_tview *b, const npu_tview *y) {
    const npu_tensor_desc *yd = y->desc;
    int32_t r = yd->rank;
    int64_t sa[NPU_MAX_RANK] = {0}, sb[NPU_MAX_RANK] = {0}, idx[NPU_MAX_RANK] = {0};
    batch_strides(a->desc, 0, yd, sa);
    batch_strides(b->desc, 0, yd, sb);
    int64_t oa = 0, ob = 0;
    for (int64_t i = 0; i < y->numel; i++) {
        float av = ld_h(a->data, oa), bv = ld_h(b->data, ob);
        st_h(y->data, i, op == NPU_OP_ADD ? av + bv : av * bv);
        for (int32_t d = r - 1; d >= 0; d--) {
            idx[d]++;
            oa += sa[d];
            ob += sb[d];
            if (idx[d] < yd->dims[d]) {
                break;
            }
            oa -= sa[d] * yd->dims[d];
            ob -= sb[d] * yd->dims[d];
            idx[d] = 0;
        }
    }
}

static void unary(const npu_node_desc *n, const npu_tview *x, const npu_tview *y) {
    float lo = (float)n->fattrs[0], hi = (float)n->fattrs[1];
    for (int64_t i = 0; i < x->numel; i++) {
        float v = ld_h(x->data, i), r;
        switch (n->op) {
        case NPU_OP_RELU: r = v < 0.0f ? 0.0f : v; break;
        case NPU_OP_CLIP: r = v < lo ? lo : (v > hi ? hi : v); break;
        default: {
            float g = v / 6.0f + 0.5f;
            g = g < 0.0f ? 0.0f : (g > 1.0f ? 1.0f : g);
            r = v * g;
            break;
        }
        }
        st_h(y->data, i, r);
    }
}

static void pool2d(const npu_node_desc *n, const npu_tview *x, const npu_tview *y) {
    const int64_t *a = n->iattrs;
    int is_max = a[0] == 0, include_pad = a[12] != 0;
    int64_t NC = x->desc->dims[0] * x->desc->dims[1], H = x->desc->dims[2], W = x->desc->dims[3];
    int64_t OH = y->desc->dims[2], OW = y->desc->dims[3];
    int64_t kh = a[1], kw = a[2], sh = a[3], sw = a[4], pt = a[5], pl = a[6], pb = a[7], pr = a[8];
    int64_t dh = a[9], dw = a[10];
    for (int64_t p = 0; p < NC; p++) {
        for (int64_t oh = 0; oh < OH; oh++) {
            for (int64_t ow = 0; ow < OW; ow++) {
                float best = -INFINITY, sum = 0.0f;
                int64_t count = 0, padded_count = 0;
                for (int64_t i = 0; i < kh; i++) {
                    int64_t ih = oh * sh - pt + i * dh;
                    for (int64_t j = 0; j < kw; j++) {
                        int64_t iw = ow * sw - pl + j * dw;
                        if (ih >= -pt && ih < H + pb && iw >= -pl && iw < W + pr) {
                            padded_count++;
                        }
                        if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                            continue;
                        }
                        float v = ld_h(x->data, (p * H + ih) * W + iw);
                        best = v > best || isnan(v) ? v : best;
                        sum += v;
                        count++;
                    }
                }
                float r;
                if (is_max) {
                    r = best;
                } else {
                    int64_t div = include_pad ? padded_count : count;
                    r = div == 0 ? 0.0f : sum / (float)div;
                }
                st_h(y->data, (p * OH + oh) * OW + ow, r);
            }
        }
    }
}

static void global_average_pool(const npu_tview *x, const npu_tview *y) {
    int64_t NC = x->desc->dims[0] * x->desc->dims[1], HW = x->desc->dims[2] * x->desc->dims[3];
    for (int64_t p = 0; p < NC; p++) {
        float sum = 0.0f;
        for (int64_t i = 0; i < HW; i++) {
            sum += ld_h(x->data, p * HW + i);
        }
        st_h(y->data, p, HW == 0 ? 0.0f : sum / (float)HW);
    }
}

static void softmax(const npu_node_desc *n, const npu_tview *x, const npu_tview *y) {
    int64_t axis = n->iattrs[0];
    int64_t outer = 1, len = x->desc->dims[axis], inner = 1;
    for (int64_t i = 0; i < axis; i++) {
        outer *= x->desc->dims[i];
    }
    for (int64_t i = axis + 1; i < x->desc->rank; i++) {
        inner *= x->desc->dims[i];
    }
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t in = 0; in < inner; in++) {
            int64_t base = o * len * inner + in;
            float max = -INFINITY;
            for (int64_t k = 0; k < len; k++) {
                float v = ld_h(x->data, base + k * inner);
                max = v > max ? v : max;
            }
            float sum = 0.0f;
            for (int64_t k = 0; k < len; k++) {
                sum += expf(ld_h(x->data, base + k * inner) - max);
            }
            for (int64_t k = 0; k < len; k++) {
                st_h(y->data, base + k * inner, expf(ld_h(x->data, base + k * inner) - max) / sum);
            }
        }
    }
}

static void quantize(const npu_tview *x, const npu_tview *y) {
    int64_t channels = 1, inner = 1;
    if (y->qaxis >= 0 && y->qcount > 1) {
        channels = y->desc->dims[y->qaxis];
        for (int32_t i = y->qaxis + 1; i < y->desc->rank; i++) {
            inner *= y->desc->dims[i];
        }
    }
    for (int64_t i = 0; i < x->numel; i++) {
        int64_t c = (i / inner) % channels;
        st_q(y, i, (double)ld_h(x->data, i) / q_scale(y, c), q_zero(y, c));
    }
}

void npu_node_run(const npu_node_desc *n, const npu_tview *const *in, const npu_tview *const *out) {
    npu_half_init();
    switch (n->op) {
    case NPU_OP_CONV2D: conv2d(n, in, out[0]); break;
    case NPU_OP_MATMUL: matmul(in, out[0]); break;
    case NPU_OP_GEMM: gemm(n, in, out[0]); break;
    case NPU_OP_ADD:
    case NPU_OP_MUL: binary(n->op, in[0], in[1], out[0]); break;
    case NPU_OP_RELU:
    case NPU_OP_CLIP:
    case NPU_OP_HARD_SWISH: unary(n, in[0], out[0]); break;
    case NPU_OP_POOL2D: pool2d(n, in[0], out[0]); break;
    case NPU_OP_GLOBAL_AVERAGE_POOL: global_average_pool(in[0], out[0]); break;
    case NPU_OP_SOFTMAX: softmax(n, in[0], out[0]); break;
    case NPU_OP_QUANTIZE: quantize(in[0], out[0]); break;
    default: break;
    }
}
