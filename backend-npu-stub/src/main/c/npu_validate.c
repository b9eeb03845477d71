/*
 * npu_validate.c: what the NPU's graph compiler checks for each node (dtypes, shapes,
 * attributes), and the timing model's operation and byte counts.
 */
#include "npu_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int npu_dtype_size(int32_t dtype) {
    switch (dtype) {
    case NPU_DTYPE_INT8:
    case NPU_DTYPE_UINT8: return 1;
    case NPU_DTYPE_FLOAT16: return 2;
    case NPU_DTYPE_INT32:
    case NPU_DTYPE_FLOAT32: return 4;
    default: return 0;
    }
}

const char *npu_dtype_name(int32_t dtype) {
    switch (dtype) {
    case NPU_DTYPE_INT8: return "int8";
    case NPU_DTYPE_UINT8: return "uint8";
    case NPU_DTYPE_FLOAT16: return "float16";
    case NPU_DTYPE_INT32: return "int32";
    case NPU_DTYPE_FLOAT32: return "float32";
    default: return "unknown-dtype";
    }
}

int64_t npu_desc_numel(const npu_tensor_desc *d) {
    int64_t n = 1;
    for (int32_t i = 0; i < d->rank; i++) {
        n *= d->dims[i];
    }
    return n;
}

static const char *op_name(int32_t op) {
    static const char *const names[] = {"?", "Conv2d", "MatMul", "Gemm", "Add", "Mul", "Relu", "Clip",
                                        "HardSwish", "Pool2d", "GlobalAveragePool", "Softmax", "Quantize"};
    return op >= 1 && op <= NPU_OP_QUANTIZE ? names[op] : "unknown-op";
}

static const char *shape_str(const npu_tensor_desc *d, char *buf, size_t len) {
    size_t n = (size_t)snprintf(buf, len, "%s[", npu_dtype_name(d->dtype));
    for (int32_t i = 0; i < d->rank && n < len; i++) {
        n += (size_t)snprintf(buf + n, len - n, i == 0 ? "%lld" : ", %lld", (long long)d->dims[i]);
    }
    if (n < len) {
        snprintf(buf + n, len - n, "]");
    }
    return buf;
}

static int is_quantized(int32_t dtype) {
    return dtype == NPU_DTYPE_INT8 || dtype == NPU_DTYPE_UINT8;
}

#define FAIL(status, ...) do { snprintf(why, why_len, __VA_ARGS__); return (status); } while (0)

static npu_status expect_dims(const char *op, const npu_tensor_desc *out, const int64_t *dims, int32_t rank,
                              char *why, size_t why_len) {
    int same = out->rank == rank;
    for (int32_t i = 0; same && i < rank; i++) {
        same = out->dims[i] == dims[i];
    }
    if (!same) {
        char got[128], want[128];
        npu_tensor_desc w = *out;
        w.rank = rank;
        memcpy(w.dims, dims, sizeof(int64_t) * (size_t)rank);
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "%s: output is %s, requires %s", op, shape_str(out, got, sizeof got),
             shape_str(&w, want, sizeof want));
    }
    return NPU_SUCCESS;
}

static npu_status check_quant(const char *op, const char *what, const npu_tensor_desc *t, int32_t channel_axis,
                              char *why, size_t why_len) {
    if (t->quant.kind == NPU_QUANT_NONE) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "%s: %s is %s without quantization parameters", op, what,
             npu_dtype_name(t->dtype));
    }
    if (t->quant.axis != -1 && t->quant.axis != channel_axis) {
        FAIL(NPU_ERROR_UNSUPPORTED, "%s: %s is quantized along axis %d; the NPU takes per-tensor parameters%s",
             op, what, (int)t->quant.axis, channel_axis >= 0 ? " or per output channel" : "");
    }
    return NPU_SUCCESS;
}

/* Output size of a sliding window, as ONNX Conv and (floor mode) pooling define it; -1 if the window does not fit. */
static int64_t window_out(int64_t size, int64_t k, int64_t stride, int64_t p0, int64_t p1, int64_t dil, int ceil) {
    int64_t span = dil * (k - 1) + 1;
    int64_t padded = size + p0 + p1;
    if (padded < span) {
        return -1;
    }
    if (!ceil) {
        return (padded - span) / stride + 1;
    }
    int64_t out = (padded - span + stride - 1) / stride + 1;
    if ((out - 1) * stride >= size + p0) {
        out--; /* a last window starting wholly inside the end padding is dropped */
    }
    return out;
}

static npu_status validate_conv(const npu_node_desc *n, const npu_tensor_desc *const *in,
                                const npu_tensor_desc *const *out, char *why, size_t why_len) {
    const npu_tensor_desc *x = in[0], *w = in[1], *y = out[0];
    const int64_t *a = n->iattrs;
    if (x->rank != 4 || w->rank != 4) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Conv2d: x and w must have rank 4, got %d and %d", (int)x->rank,
             (int)w->rank);
    }
    for (int i = NPU_ATTR_STRIDE_H; i <= NPU_ATTR_GROUPS; i++) {
        int pad = i >= NPU_ATTR_PAD_TOP && i <= NPU_ATTR_PAD_RIGHT;
        if (pad ? a[i] < 0 : a[i] < 1) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Conv2d: attribute %d is %lld, must be %s", i, (long long)a[i],
                 pad ? ">= 0" : ">= 1");
        }
    }
    int64_t c = x->dims[1], m = w->dims[0], g = a[NPU_ATTR_GROUPS];
    if (c % g != 0 || m % g != 0 || w->dims[1] != c / g) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Conv2d: %lld input and %lld output channels with %lld groups need w's "
             "dimension 1 = C / groups, got %lld", (long long)c, (long long)m, (long long)g, (long long)w->dims[1]);
    }
    int quant = is_quantized(x->dtype);
    if (quant) {
        if (!is_quantized(w->dtype) || !is_quantized(y->dtype)) {
            FAIL(NPU_ERROR_UNSUPPORTED, "Conv2d: x is %s but w is %s and y %s; quantized convolution needs 8-bit "
                 "x, w and y", npu_dtype_name(x->dtype), npu_dtype_name(w->dtype), npu_dtype_name(y->dtype));
        }
        npu_status s = check_quant("Conv2d", "x", x, -1, why, why_len);
        if (s == NPU_SUCCESS) s = check_quant("Conv2d", "w", w, 0, why, why_len);
        if (s == NPU_SUCCESS) s = check_quant("Conv2d", "y", y, -1, why, why_len);
        if (s != NPU_SUCCESS) return s;
    } else if (w->dtype != NPU_DTYPE_FLOAT16 || y->dtype != NPU_DTYPE_FLOAT16) {
        FAIL(NPU_ERROR_UNSUPPORTED, "Conv2d: x, w and y must all be float16 or all 8-bit, got %s, %s, %s",
             npu_dtype_name(x->dtype), npu_dtype_name(w->dtype), npu_dtype_name(y->dtype));
    }
    if (n->num_inputs == 3) {
        const npu_tensor_desc *b = in[2];
        int32_t want = quant ? NPU_DTYPE_INT32 : NPU_DTYPE_FLOAT16;
        if (b->dtype != want || b->rank != 1 || b->dims[0] != m) {
            char got[128];
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Conv2d: bias is %s, requires %s[%lld]", shape_str(b, got, sizeof got),
                 npu_dtype_name(want), (long long)m);
        }
    }
    int64_t oh = window_out(x->dims[2], w->dims[2], a[NPU_ATTR_STRIDE_H], a[NPU_ATTR_PAD_TOP],
                            a[NPU_ATTR_PAD_BOTTOM], a[NPU_ATTR_DILATION_H], 0);
    int64_t ow = window_out(x->dims[3], w->dims[3], a[NPU_ATTR_STRIDE_W], a[NPU_ATTR_PAD_LEFT],
                            a[NPU_ATTR_PAD_RIGHT], a[NPU_ATTR_DILATION_W], 0);
    if (oh < 0 || ow < 0) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Conv2d: the padded input is smaller than the dilated kernel");
    }
    int64_t dims[4] = {x->dims[0], m, oh, ow};
    return expect_dims("Conv2d", y, dims, 4, why, why_len);
}

static npu_status validate_matmul(const npu_tensor_desc *const *in, const npu_tensor_desc *const *out, char *why,
                                  size_t why_len) {
    const npu_tensor_desc *a = in[0], *b = in[1], *y = out[0];
    if (a->rank < 2 || b->rank < 2) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "MatMul: a and b need rank >= 2 (bind 1-D operands as [1, K] and [K, 1]),"
             " got %d and %d", (int)a->rank, (int)b->rank);
    }
    if (is_quantized(a->dtype)) {
        if (!is_quantized(b->dtype) || !is_quantized(y->dtype)) {
            FAIL(NPU_ERROR_UNSUPPORTED, "MatMul: quantized matmul needs 8-bit a, b and y, got %s, %s, %s",
                 npu_dtype_name(a->dtype), npu_dtype_name(b->dtype), npu_dtype_name(y->dtype));
        }
        npu_status s = check_quant("MatMul", "a", a, -1, why, why_len);
        if (s == NPU_SUCCESS) s = check_quant("MatMul", "b", b, b->rank - 1, why, why_len);
        if (s == NPU_SUCCESS) s = check_quant("MatMul", "y", y, -1, why, why_len);
        if (s != NPU_SUCCESS) return s;
    } else if (b->dtype != NPU_DTYPE_FLOAT16 || y->dtype != NPU_DTYPE_FLOAT16) {
        FAIL(NPU_ERROR_UNSUPPORTED, "MatMul: a, b and y must all be float16 or all 8-bit");
    }
    if (a->dims[a->rank - 1] != b->dims[b->rank - 2]) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "MatMul: inner dimensions differ: K = %lld and %lld",
             (long long)a->dims[a->rank - 1], (long long)b->dims[b->rank - 2]);
    }
    int32_t r = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[NPU_MAX_RANK];
    for (int32_t i = 0; i < r - 2; i++) {
        int32_t ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "MatMul: batch dimension %d is %lld in a and %lld in b", (int)i,
                 (long long)da, (long long)db);
        }
        dims[i] = da == 1 ? db : da;
    }
    dims[r - 2] = a->dims[a->rank - 2];
    dims[r - 1] = b->dims[b->rank - 1];
    return expect_dims("MatMul", y, dims, r, why, why_len);
}

static npu_status validate_gemm(const npu_node_desc *n, const npu_tensor_desc *const *in,
                                const npu_tensor_desc *const *out, char *why, size_t why_len) {
    const npu_tensor_desc *a = in[0], *b = in[1];
    if (a->rank != 2 || b->rank != 2) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Gemm: a and b need rank 2, got %d and %d", (int)a->rank, (int)b->rank);
    }
    int ta = n->iattrs[0] != 0, tb = n->iattrs[1] != 0;
    int64_t m = ta ? a->dims[1] : a->dims[0], ka = ta ? a->dims[0] : a->dims[1];
    int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
    if (ka != kb) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Gemm: inner dimensions differ: K = %lld and %lld", (long long)ka,
             (long long)kb);
    }
    if (n->num_inputs == 3) {
        const npu_tensor_desc *c = in[2];
        int ok = c->rank <= 2;
        if (ok && c->rank >= 1) ok = c->dims[c->rank - 1] == 1 || c->dims[c->rank - 1] == nn;
        if (ok && c->rank == 2) ok = c->dims[0] == 1 || c->dims[0] == m;
        if (!ok) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Gemm: c does not broadcast to [%lld, %lld]", (long long)m, (long long)nn);
        }
    }
    int64_t dims[2] = {m, nn};
    return expect_dims("Gemm", out[0], dims, 2, why, why_len);
}

static npu_status validate_pool(const npu_node_desc *n, const npu_tensor_desc *x, const npu_tensor_desc *y,
                                char *why, size_t why_len) {
    const int64_t *a = n->iattrs;
    if (x->rank != 4) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Pool2d: x must have rank 4, got %d", (int)x->rank);
    }
    if ((a[0] != 0 && a[0] != 1) || a[1] < 1 || a[2] < 1 || a[3] < 1 || a[4] < 1 || a[5] < 0 || a[6] < 0 ||
        a[7] < 0 || a[8] < 0 || a[5] >= a[1] || a[7] >= a[1] || a[6] >= a[2] || a[8] >= a[2] || a[9] < 1 ||
        a[10] < 1 || (a[11] != 0 && a[11] != 1) || (a[12] != 0 && a[12] != 1)) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Pool2d: invalid attributes (kind %lld, kernel %lldx%lld, stride %lldx%lld,"
             " pads %lld %lld %lld %lld, dilation %lldx%lld); pads must be smaller than the kernel",
             (long long)a[0], (long long)a[1], (long long)a[2], (long long)a[3], (long long)a[4], (long long)a[5],
             (long long)a[6], (long long)a[7], (long long)a[8], (long long)a[9], (long long)a[10]);
    }
    int64_t oh = window_out(x->dims[2], a[1], a[3], a[5], a[7], a[9], (int)a[11]);
    int64_t ow = window_out(x->dims[3], a[2], a[4], a[6], a[8], a[10], (int)a[11]);
    if (oh < 0 || ow < 0) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "Pool2d: the padded input is smaller than the window");
    }
    int64_t dims[4] = {x->dims[0], x->dims[1], oh, ow};
    return expect_dims("Pool2d", y, dims, 4, why, why_len);
}

static npu_status validate_broadcast(const char *op, const npu_tensor_desc *a, const npu_tensor_desc *b,
                                     const npu_tensor_desc *y, char *why, size_t why_len) {
    int32_t r = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[NPU_MAX_RANK];
    for (int32_t i = 0; i < r; i++) {
        int32_t ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "%s: dimension %d is %lld in a and %lld in b and does not broadcast",
                 op, (int)i, (long long)da, (long long)db);
        }
        dims[i] = da == 1 ? db : da;
    }
    return expect_dims(op, y, dims, r, why, why_len);
}

npu_status npu_node_validate(const npu_node_desc *n, const npu_tensor_desc *const *in,
                             const npu_tensor_desc *const *out, char *why, size_t why_len) {
    static const int MIN_IN[] = {0, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    static const int MAX_IN[] = {0, 3, 2, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    if (n->op < NPU_OP_CONV2D || n->op > NPU_OP_QUANTIZE) {
        FAIL(NPU_ERROR_UNSUPPORTED, "op %d is not an op of this NPU", (int)n->op);
    }
    const char *op = op_name(n->op);
    if (n->num_inputs < MIN_IN[n->op] || n->num_inputs > MAX_IN[n->op] || n->num_outputs != 1) {
        FAIL(NPU_ERROR_INVALID_ARGUMENT, "%s takes %d to %d inputs and 1 output, got %d and %d", op, MIN_IN[n->op],
             MAX_IN[n->op], (int)n->num_inputs, (int)n->num_outputs);
    }
    for (int32_t i = 0; i < n->num_inputs + 1; i++) {
        const npu_tensor_desc *t = i < n->num_inputs ? in[i] : out[0];
        if (t->dtype == NPU_DTYPE_FLOAT32) {
            FAIL(NPU_ERROR_UNSUPPORTED, "%s: operand %d is float32; the NPU computes in int8 and float16 only", op,
                 (int)i);
        }
    }
    const npu_tensor_desc *x = in[0], *y = out[0];
    int fp16_only = n->op != NPU_OP_CONV2D && n->op != NPU_OP_MATMUL && n->op != NPU_OP_QUANTIZE;
    if (fp16_only) {
        for (int32_t i = 0; i < n->num_inputs + 1; i++) {
            const npu_tensor_desc *t = i < n->num_inputs ? in[i] : out[0];
            if (t->dtype != NPU_DTYPE_FLOAT16) {
                FAIL(NPU_ERROR_UNSUPPORTED, "%s: operand %d is %s; the NPU runs %s in float16 only", op, (int)i,
                     npu_dtype_name(t->dtype), op);
            }
        }
    }
    switch (n->op) {
    case NPU_OP_CONV2D: return validate_conv(n, in, out, why, why_len);
    case NPU_OP_MATMUL: return validate_matmul(in, out, why, why_len);
    case NPU_OP_GEMM: return validate_gemm(n, in, out, why, why_len);
    case NPU_OP_ADD:
    case NPU_OP_MUL: return validate_broadcast(op, in[0], in[1], y, why, why_len);
    case NPU_OP_CLIP:
        if (!(n->fattrs[0] <= n->fattrs[1])) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Clip: min %g is not <= max %g", n->fattrs[0], n->fattrs[1]);
        }
        return expect_dims(op, y, x->dims, x->rank, why, why_len);
    case NPU_OP_RELU:
    case NPU_OP_HARD_SWISH: return expect_dims(op, y, x->dims, x->rank, why, why_len);
    case NPU_OP_POOL2D: return validate_pool(n, x, y, why, why_len);
    case NPU_OP_GLOBAL_AVERAGE_POOL: {
        if (x->rank != 4) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "GlobalAveragePool: x must have rank 4, got %d", (int)x->rank);
        }
        int64_t dims[4] = {x->dims[0], x->dims[1], 1, 1};
        return expect_dims(op, y, dims, 4, why, why_len);
    }
    case NPU_OP_SOFTMAX:
        if (x->rank < 1 || n->iattrs[0] < 0 || n->iattrs[0] >= x->rank) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Softmax: axis %lld is out of range for rank %d", (long long)n->iattrs[0],
                 (int)x->rank);
        }
        return expect_dims(op, y, x->dims, x->rank, why, why_len);
    default: /* NPU_OP_QUANTIZE */
        if (x->dtype != NPU_DTYPE_FLOAT16 || !is_quantized(y->dtype)) {
            FAIL(NPU_ERROR_UNSUPPORTED, "Quantize: needs float16 x and an 8-bit y, got %s and %s",
                 npu_dtype_name(x->dtype), npu_dtype_name(y->dtype));
        }
        if (y->quant.kind == NPU_QUANT_NONE) {
            FAIL(NPU_ERROR_INVALID_ARGUMENT, "Quantize: y has no quantization parameters");
        }
        return expect_dims(op, y, x->dims, x->rank, why, why_len);
    }
}

void npu_node_cost(const npu_node_desc *n, const npu_tensor_desc *const *in, const npu_tensor_desc *const *out,
                   double *ops, double *bytes, int *is_int8) {
    double b = 0;
    for (int32_t i = 0; i < n->num_inputs; i++) {
        b += (double)npu_desc_numel(in[i]) * npu_dtype_size(in[i]->dtype);
    }
    double yn = (double)npu_desc_numel(out[0]);
    b += yn * npu_dtype_size(out[0]->dtype);
    double o;
    switch (n->op) {
    case NPU_OP_CONV2D: o = 2.0 * yn * (double)(in[1]->dims[1] * in[1]->dims[2] * in[1]->dims[3]); break;
    case NPU_OP_MATMUL: o = 2.0 * yn * (double)in[0]->dims[in[0]->rank - 1]; break;
    case NPU_OP_GEMM: o = 2.0 * yn * (double)(n->iattrs[0] ? in[0]->dims[0] : in[0]->dims[1]) + 2.0 * yn; break;
    case NPU_OP_POOL2D: o = yn * (double)(n->iattrs[1] * n->iattrs[2]); break;
    case NPU_OP_GLOBAL_AVERAGE_POOL: o = (double)npu_desc_numel(in[0]); break;
    case NPU_OP_SOFTMAX: o = 5.0 * yn; break;
    default: o = yn; break;
    }
    *ops = o;
    *bytes = b;
    *is_int8 = is_quantized(out[0]->dtype) && n->op != NPU_OP_QUANTIZE;
}
