/*
 * npu_selftest.c: tests of libaccelnpu in C, built with the library's sources and run under
 * AddressSanitizer and UndefinedBehaviorSanitizer by NpuSanitizerTest. Prints "ALL PASSED" and
 * exits 0 when every check holds; prints each failure and exits 1 otherwise.
 */
#include "npu_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_checks, g_failures;

#define CHECK(cond) do { g_checks++; if (!(cond)) { g_failures++; \
    fprintf(stderr, "FAIL %s:%d: %s (last detail: %s)\n", __FILE__, __LINE__, #cond, npu_get_last_error_detail()); } \
} while (0)
#define OK(call) CHECK((call) == NPU_SUCCESS)

static npu_tensor_desc desc(int32_t dtype, int32_t role, int32_t rank, const int64_t *dims) {
    npu_tensor_desc d;
    memset(&d, 0, sizeof d);
    d.dtype = dtype;
    d.role = role;
    d.rank = rank;
    memcpy(d.dims, dims, sizeof(int64_t) * (size_t)rank);
    d.quant.axis = -1;
    d.quant.zero_point_tensor = -1;
    return d;
}

static npu_node_desc node(int32_t op, int32_t nin, const int32_t *ins, int32_t out) {
    npu_node_desc n;
    memset(&n, 0, sizeof n);
    n.op = op;
    n.num_inputs = nin;
    n.num_outputs = 1;
    memcpy(n.inputs, ins, sizeof(int32_t) * (size_t)nin);
    n.outputs[0] = out;
    return n;
}

static void test_library(void) {
    CHECK(npu_get_version() == ACCELNPU_VERSION);
    CHECK(strcmp(npu_status_name(NPU_ERROR_DEVICE_LOST), "NPU_ERROR_DEVICE_LOST") == 0);
    CHECK(strcmp(npu_status_name(99), "NPU_STATUS_UNKNOWN") == 0);
    CHECK(strlen(npu_status_message(NPU_ERROR_OUT_OF_MEMORY)) > 0);
    CHECK(npu_struct_size(NPU_STRUCT_TENSOR_DESC) == 120);
    CHECK(npu_struct_size(NPU_STRUCT_NODE_DESC) == 248);
    CHECK(npu_struct_size(NPU_STRUCT_DEVICE_PROPERTIES) == 128);
    CHECK(npu_struct_size(NPU_STRUCT_GRAPH_INFO) == 48);
    CHECK(npu_struct_size(NPU_STRUCT_DEVICE_STATS) == 40);
    CHECK(npu_struct_size(NPU_STRUCT_QUANT_PARAMS) == 40);
    CHECK(npu_struct_size(0) == 0);
}

static void test_half(void) {
    int roundtrip_ok = 1;
    for (uint32_t h = 0; h < 0x10000u; h++) {
        float f = npu_half_to_float((uint16_t)h);
        uint16_t back = npu_float_to_half(f);
        if (isnan(f) ? (back & 0x7c00u) != 0x7c00u || (back & 0x3ffu) == 0 : back != h) {
            roundtrip_ok = 0;
        }
    }
    CHECK(roundtrip_ok);
    CHECK(npu_float_to_half(1.0f + 0x1p-11f) == 0x3c00u);          /* tie, to even (down) */
    CHECK(npu_float_to_half(1.0f + 3 * 0x1p-11f) == 0x3c02u);      /* tie, to even (up) */
    CHECK(npu_float_to_half(65519.0f) == 0x7bffu);
    CHECK(npu_float_to_half(65520.0f) == 0x7c00u);
    CHECK(npu_float_to_half(0x1p-25f) == 0x0000u);
    CHECK(npu_float_to_half(0x1.8p-25f) == 0x0001u);
    CHECK(npu_float_to_half(-0x1p-14f) == 0x8400u);
    CHECK(npu_half_to_float(0x0001u) == 0x1p-24f);
#ifdef __FLT16_MAX__
    /* Against the compiler's own conversion, over a spread of floats. */
    int agree = 1;
    for (uint32_t bits = 0; bits < 0x80000000u; bits += 0x1235u) {
        float f;
        memcpy(&f, &bits, sizeof f);
        if (isnan(f)) {
            continue;
        }
        _Float16 h = (_Float16)f;
        uint16_t hb;
        memcpy(&hb, &h, sizeof hb);
        if (hb != npu_float_to_half(f)) {
            agree = 0;
        }
    }
    CHECK(agree);
#endif
}

static void test_devices_and_memory(void) {
    int32_t count = 0;
    OK(npu_get_device_count(&count));
    CHECK(count == 1);
    npu_device_properties p;
    OK(npu_get_device_properties(0, &p));
    CHECK(p.memory_bytes == (1ull << 30));
    CHECK(p.compute_dtypes & NPU_DTYPE_BIT(NPU_DTYPE_INT8));
    CHECK(!(p.compute_dtypes & NPU_DTYPE_BIT(NPU_DTYPE_FLOAT32)));
    CHECK(npu_get_device_properties(1, &p) == NPU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(npu_get_last_error_detail(), "out of range") != NULL);
    CHECK(npu_device_open(0, NULL) == NPU_ERROR_INVALID_ARGUMENT);

    npu_device *d = NULL;
    OK(npu_device_open(0, &d));
    CHECK(npu_get_allocation_count() == 1);
    npu_buffer *b = NULL;
    OK(npu_malloc(d, 16, &b));
    uint64_t free_bytes = 0, total = 0;
    OK(npu_device_get_memory_info(d, &free_bytes, &total));
    CHECK(total - free_bytes == 16);
    unsigned char host[16], back[16];
    for (int i = 0; i < 16; i++) {
        host[i] = (unsigned char)(i * 7);
    }
    OK(npu_memcpy_h2d(b, 0, host, 16));
    memset(back, 0, sizeof back);
    OK(npu_memcpy_d2h(back, b, 0, 16));
    CHECK(memcmp(host, back, 16) == 0);
    CHECK(npu_memcpy_h2d(b, 8, host, 16) == NPU_ERROR_INVALID_ARGUMENT);
    CHECK(npu_memcpy_d2h(back, b, UINT64_MAX, 2) == NPU_ERROR_INVALID_ARGUMENT);
    CHECK(npu_memcpy_h2d(NULL, 0, host, 1) == NPU_ERROR_INVALID_HANDLE);
    CHECK(npu_memcpy_h2d((npu_buffer *)d, 0, host, 1) == NPU_ERROR_INVALID_HANDLE); /* a device is not a buffer */

    /* The host pointer addresses the same bytes the copies reach, in both directions and after stream work. */
    unsigned char *direct = NULL;
    OK(npu_buffer_host_pointer(b, (void **)&direct));
    CHECK(direct != NULL);
    CHECK(direct != NULL && memcmp(direct, host, 16) == 0);
    void *again = NULL;
    OK(npu_buffer_host_pointer(b, &again));
    CHECK(again == (void *)direct);
    if (direct != NULL) {
        direct[3] = 0xEE;
    }
    OK(npu_memcpy_d2h(back, b, 0, 16));
    CHECK(back[3] == 0xEE && back[4] == host[4]);
    npu_buffer *copy = NULL, *empty = NULL;
    OK(npu_malloc(d, 16, &copy));
    npu_stream *s = NULL;
    OK(npu_stream_create(d, &s));
    OK(npu_memcpy_d2d_async(s, copy, 0, b, 0, 16, NULL, NULL));
    OK(npu_stream_synchronize(s));
    unsigned char *copied = NULL;
    OK(npu_buffer_host_pointer(copy, (void **)&copied));
    CHECK(copied != NULL && copied[3] == 0xEE && memcmp(copied + 4, host + 4, 12) == 0);
    OK(npu_stream_destroy(s));
    OK(npu_malloc(d, 0, &empty));
    void *none = NULL;
    OK(npu_buffer_host_pointer(empty, &none));
    CHECK(none != NULL);
    CHECK(npu_buffer_host_pointer(b, NULL) == NPU_ERROR_INVALID_ARGUMENT);
    CHECK(npu_buffer_host_pointer((npu_buffer *)d, &none) == NPU_ERROR_INVALID_HANDLE);
    CHECK(none == NULL);
    OK(npu_free(copy));
    OK(npu_free(empty));
    if (direct != NULL) {
        direct[3] = host[3];
    }

    npu_buffer *big = NULL;
    CHECK(npu_malloc(d, (1ull << 30), &big) == NPU_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(npu_get_last_error_detail(), "free") != NULL);
    OK(npu_device_inject_fault(d, NPU_FAULT_OUT_OF_MEMORY, 2));
    npu_buffer *b2 = NULL, *b3 = NULL;
    OK(npu_malloc(d, 4, &b2));
    CHECK(npu_malloc(d, 4, &b3) == NPU_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(npu_get_last_error_detail(), "injected") != NULL);
    OK(npu_malloc(d, 4, &b3));
    CHECK(npu_device_inject_fault(d, NPU_FAULT_FAIL_EXECUTION, 0) == NPU_ERROR_INVALID_ARGUMENT);
    OK(npu_free(b2));
    OK(npu_free(b));
    /* b3 is left for npu_device_close to free. */
    OK(npu_device_close(d));
    CHECK(npu_get_allocation_count() == 0);
}

typedef struct completion {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    npu_status status;
    uint64_t simulated_ns;
    pthread_t thread;
    char detail[NPU_DETAIL_LEN];
} completion;

static void on_complete(void *user, npu_status status, uint64_t simulated_ns, const char *detail) {
    completion *c = user;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->status = status;
    c->simulated_ns = simulated_ns;
    c->thread = pthread_self();
    snprintf(c->detail, sizeof c->detail, "%s", detail == NULL ? "" : detail);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void completion_init(completion *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
}

static void completion_wait(completion *c, int calls) {
    pthread_mutex_lock(&c->lock);
    while (c->calls < calls) {
        pthread_cond_wait(&c->cond, &c->lock);
    }
    pthread_mutex_unlock(&c->lock);
}

static void completion_destroy(completion *c) {
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
}

/* int8 depthwise-free 1x2x3x3 input, 2 output channels 2x2 kernel, per-channel static weights. */
static void test_int8_conv(void) {
    npu_device *d = NULL;
    OK(npu_device_open(0, &d));
    npu_graph *g = NULL;
    OK(npu_graph_create(d, &g));
    int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {2, 2, 2, 2}, bd[1] = {2}, yd[4] = {1, 2, 2, 2};
    float xs = 0.5f, ws[2] = {0.25f, 0.125f}, ys = 1.0f;
    int32_t xz = 3, wz[2] = {0, 1}, yz = -2;
    npu_tensor_desc x = desc(NPU_DTYPE_INT8, NPU_ROLE_INPUT, 4, xd);
    x.quant = (npu_quant_params){NPU_QUANT_STATIC, -1, 1, -1, -1, 0, &xs, &xz};
    npu_tensor_desc w = desc(NPU_DTYPE_INT8, NPU_ROLE_INPUT, 4, wd);
    w.quant = (npu_quant_params){NPU_QUANT_STATIC, 0, 2, -1, -1, 0, ws, wz};
    npu_tensor_desc b = desc(NPU_DTYPE_INT32, NPU_ROLE_INPUT, 1, bd);
    npu_tensor_desc y = desc(NPU_DTYPE_INT8, NPU_ROLE_OUTPUT, 4, yd);
    y.quant = (npu_quant_params){NPU_QUANT_STATIC, -1, 1, -1, -1, 0, &ys, &yz};
    int32_t ix, iw, ib, iy;
    OK(npu_graph_add_tensor(g, &x, &ix));
    OK(npu_graph_add_tensor(g, &w, &iw));
    OK(npu_graph_add_tensor(g, &b, &ib));
    OK(npu_graph_add_tensor(g, &y, &iy));
    int32_t ins[3] = {ix, iw, ib};
    npu_node_desc n = node(NPU_OP_CONV2D, 3, ins, iy);
    for (int i = 0; i < 9; i++) {
        n.iattrs[i] = i == NPU_ATTR_STRIDE_H || i == NPU_ATTR_STRIDE_W || i >= NPU_ATTR_DILATION_H ? 1 : 0;
    }
    OK(npu_graph_add_node(g, &n));
    CHECK(npu_graph_execute(g, NULL, 0, NULL, 0, NULL) == NPU_ERROR_NOT_COMPILED);
    OK(npu_graph_compile(g));
    CHECK(npu_graph_add_node(g, &n) == NPU_ERROR_ALREADY_COMPILED);
    npu_graph_info info;
    OK(npu_graph_get_info(g, &info));
    CHECK(info.num_inputs == 3 && info.num_outputs == 1 && info.ops == 2.0 * 8 * 8);
    CHECK(info.estimated_ns >= 30000);

    int8_t xv[18], wv[16], yv[8];
    int32_t bv[2] = {10, -7};
    for (int i = 0; i < 18; i++) xv[i] = (int8_t)(i * 5 - 40);
    for (int i = 0; i < 16; i++) wv[i] = (int8_t)(i * 3 - 20);
    npu_buffer *bx, *bw, *bb, *by;
    OK(npu_malloc(d, 18, &bx));
    OK(npu_malloc(d, 16, &bw));
    OK(npu_malloc(d, 8, &bb));
    OK(npu_malloc(d, 8, &by));
    OK(npu_memcpy_h2d(bx, 0, xv, 18));
    OK(npu_memcpy_h2d(bw, 0, wv, 16));
    OK(npu_memcpy_h2d(bb, 0, bv, 8));
    npu_buffer *inb[3] = {bx, bw, bb}, *outb[1] = {by};
    CHECK(npu_graph_execute(g, inb, 2, outb, 1, NULL) == NPU_ERROR_INVALID_ARGUMENT);
    npu_buffer *tiny = NULL;
    OK(npu_malloc(d, 4, &tiny));
    npu_buffer *small_in[3] = {bx, bw, tiny};
    CHECK(npu_graph_execute(g, small_in, 3, outb, 1, NULL) == NPU_ERROR_INVALID_ARGUMENT); /* bias needs 8 bytes */
    CHECK(strstr(npu_get_last_error_detail(), "needs 8") != NULL);
    uint64_t sim = 0;
    OK(npu_graph_execute(g, inb, 3, outb, 1, &sim));
    CHECK(sim == info.estimated_ns);
    OK(npu_memcpy_d2h(yv, by, 0, 8));
    int exact = 1;
    for (int m = 0; m < 2; m++) {
        for (int oh = 0; oh < 2; oh++) {
            for (int ow = 0; ow < 2; ow++) {
                long acc = bv[m];
                for (int c = 0; c < 2; c++)
                    for (int kh = 0; kh < 2; kh++)
                        for (int kw = 0; kw < 2; kw++)
                            acc += (long)(xv[(c * 3 + oh + kh) * 3 + ow + kw] - xz) *
                                   (wv[((m * 2 + c) * 2 + kh) * 2 + kw] - wz[m]);
                double r = rint((double)acc * xs * ws[m] / ys) + yz;
                r = r < -128 ? -128 : (r > 127 ? 127 : r);
                if (yv[(m * 2 + oh) * 2 + ow] != (int8_t)r) {
                    exact = 0;
                }
            }
        }
    }
    CHECK(exact);

    /* Asynchronous execution: callback on the worker thread, then a stream synchronise. */
    npu_stream *s = NULL;
    OK(npu_stream_create(d, &s));
    completion c;
    completion_init(&c);
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, on_complete, &c));
    completion_wait(&c, 1);
    CHECK(c.status == NPU_SUCCESS && c.simulated_ns == info.estimated_ns);
    CHECK(!pthread_equal(c.thread, pthread_self()));
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, NULL, NULL));
    OK(npu_stream_synchronize(s));

    /* Fail the 2nd execution from now: it reports the fault, the next is skipped, the stream stays failed. */
    OK(npu_device_inject_fault(d, NPU_FAULT_FAIL_EXECUTION, 2));
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, on_complete, &c));
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, on_complete, &c));
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, on_complete, &c));
    completion_wait(&c, 4);
    CHECK(c.status == NPU_ERROR_EXECUTION_FAILED);
    CHECK(strstr(c.detail, "not run") != NULL);
    CHECK(npu_stream_synchronize(s) == NPU_ERROR_EXECUTION_FAILED);
    CHECK(strstr(npu_get_last_error_detail(), "injected fault") != NULL);
    npu_device_stats stats;
    OK(npu_device_get_stats(d, &stats));
    CHECK(stats.failed_executions == 1 && stats.executions == 5); /* the skipped one never ran */
    OK(npu_stream_destroy(s));
    completion_destroy(&c);

    /* Freed while an execution is queued: the memory lives until the execution has run. */
    OK(npu_stream_create(d, &s));
    OK(npu_graph_execute_async(s, g, inb, 3, outb, 1, NULL, NULL));
    OK(npu_free(bx));
    OK(npu_graph_destroy(g));
    OK(npu_stream_synchronize(s));
    /* The rest (stream, buffers) is freed by npu_device_close. */
    OK(npu_device_close(d));
    CHECK(npu_get_allocation_count() == 0);
}

/* fp16 conv -> relu through an internal tensor; matmul with scales read from tensors. */
static void test_fp16_chain_and_dynamic_quant(void) {
    npu_device *d = NULL;
    OK(npu_device_open(0, &d));
    npu_graph *g = NULL;
    OK(npu_graph_create(d, &g));
    int64_t xd[4] = {1, 1, 2, 2}, wd[4] = {1, 1, 1, 1};
    npu_tensor_desc x = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_INPUT, 4, xd);
    npu_tensor_desc w = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_INPUT, 4, wd);
    npu_tensor_desc t = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_INTERNAL, 4, xd);
    npu_tensor_desc y = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_OUTPUT, 4, xd);
    npu_tensor_desc f32 = desc(NPU_DTYPE_FLOAT32, NPU_ROLE_OUTPUT, 4, xd);
    int32_t ix, iw, it, iy, bad;
    OK(npu_graph_add_tensor(g, &x, &ix));
    OK(npu_graph_add_tensor(g, &w, &iw));
    OK(npu_graph_add_tensor(g, &t, &it));
    OK(npu_graph_add_tensor(g, &y, &iy));
    CHECK(npu_graph_add_tensor(g, &f32, &bad) == NPU_ERROR_UNSUPPORTED);
    int32_t relu_in[1] = {it};
    npu_node_desc relu = node(NPU_OP_RELU, 1, relu_in, iy);
    CHECK(npu_graph_add_node(g, &relu) == NPU_ERROR_INVALID_ARGUMENT); /* it has no producer yet */
    int32_t conv_in[2] = {ix, iw};
    npu_node_desc conv = node(NPU_OP_CONV2D, 2, conv_in, it);
    for (int i = 0; i < 9; i++) {
        conv.iattrs[i] = i < 2 || i >= 6 ? 1 : 0;
    }
    OK(npu_graph_add_node(g, &conv));
    OK(npu_graph_add_node(g, &relu));
    OK(npu_graph_compile(g));
    npu_graph_info info;
    OK(npu_graph_get_info(g, &info));
    CHECK(info.internal_bytes == 64 && info.num_nodes == 2);
    uint16_t xv[4] = {npu_float_to_half(1.5f), npu_float_to_half(-2.0f), npu_float_to_half(0.25f),
                      npu_float_to_half(-0.5f)};
    uint16_t wv[1] = {npu_float_to_half(-2.0f)}, yv[4];
    npu_buffer *bx, *bw, *by;
    OK(npu_malloc(d, 8, &bx));
    OK(npu_malloc(d, 2, &bw));
    OK(npu_malloc(d, 8, &by));
    npu_stream *s = NULL;
    OK(npu_stream_create(d, &s));
    OK(npu_memcpy_h2d_async(s, bx, 0, xv, 8, NULL, NULL));
    OK(npu_memcpy_h2d_async(s, bw, 0, wv, 2, NULL, NULL));
    npu_buffer *inb[2] = {bx, bw}, *outb[1] = {by};
    OK(npu_graph_execute_async(s, g, inb, 2, outb, 1, NULL, NULL));
    OK(npu_memcpy_d2h_async(s, yv, by, 0, 8, NULL, NULL));
    OK(npu_stream_synchronize(s));
    CHECK(npu_half_to_float(yv[0]) == 0.0f && npu_half_to_float(yv[1]) == 4.0f);
    CHECK(npu_half_to_float(yv[2]) == 0.0f && npu_half_to_float(yv[3]) == 1.0f);
    completion cc;
    completion_init(&cc);
    OK(npu_memcpy_d2d_async(s, bx, 2, by, 2, 4, on_complete, &cc));
    OK(npu_memcpy_d2h_async(s, xv, bx, 0, 8, on_complete, &cc));
    CHECK(npu_memcpy_d2d_async(s, bx, 6, by, 0, 4, on_complete, &cc) == NPU_ERROR_INVALID_ARGUMENT);
    completion_wait(&cc, 2);
    CHECK(cc.status == NPU_SUCCESS && npu_half_to_float(xv[1]) == 4.0f && npu_half_to_float(xv[2]) == 0.0f);
    CHECK(npu_half_to_float(xv[0]) == 1.5f && npu_half_to_float(xv[3]) == -0.5f);
    completion_destroy(&cc);

    /* Quantized matmul [2, 3] x [3, 2] with per-column scales from tensors, uint8 activations. */
    npu_graph *q = NULL;
    OK(npu_graph_create(d, &q));
    int64_t ad[2] = {2, 3}, bd[2] = {3, 2}, od[2] = {2, 2}, one[1] = {1}, two[1] = {2};
    int32_t ia, ias, iaz, ib, ibs, iys, iyz, io;
    npu_tensor_desc as = desc(NPU_DTYPE_FLOAT32, NPU_ROLE_INPUT, 1, one);
    npu_tensor_desc az = desc(NPU_DTYPE_UINT8, NPU_ROLE_INPUT, 1, one);
    npu_tensor_desc bs = desc(NPU_DTYPE_FLOAT32, NPU_ROLE_INPUT, 1, two);
    OK(npu_graph_add_tensor(q, &as, &ias));
    OK(npu_graph_add_tensor(q, &az, &iaz));
    OK(npu_graph_add_tensor(q, &bs, &ibs));
    OK(npu_graph_add_tensor(q, &as, &iys));
    OK(npu_graph_add_tensor(q, &az, &iyz));
    npu_tensor_desc a = desc(NPU_DTYPE_UINT8, NPU_ROLE_INPUT, 2, ad);
    a.quant = (npu_quant_params){NPU_QUANT_FROM_TENSORS, -1, 0, ias, iaz, 0, NULL, NULL};
    npu_tensor_desc bq = desc(NPU_DTYPE_INT8, NPU_ROLE_INPUT, 2, bd);
    bq.quant = (npu_quant_params){NPU_QUANT_FROM_TENSORS, 1, 0, ibs, -1, 0, NULL, NULL};
    npu_tensor_desc o = desc(NPU_DTYPE_UINT8, NPU_ROLE_OUTPUT, 2, od);
    o.quant = (npu_quant_params){NPU_QUANT_FROM_TENSORS, -1, 0, iys, iyz, 0, NULL, NULL};
    OK(npu_graph_add_tensor(q, &a, &ia));
    OK(npu_graph_add_tensor(q, &bq, &ib));
    OK(npu_graph_add_tensor(q, &o, &io));
    int32_t mm_in[2] = {ia, ib};
    npu_node_desc mm = node(NPU_OP_MATMUL, 2, mm_in, io);
    OK(npu_graph_add_node(q, &mm));
    OK(npu_graph_compile(q));
    float asv = 0.5f, bsv[2] = {1.0f, 0.25f}, ysv = 2.0f;
    uint8_t azv = 10, yzv = 100, av[6] = {12, 8, 10, 20, 0, 255}, ov[4];
    int8_t bv[6] = {1, -4, 2, 8, -3, 0};
    npu_buffer *p[8];
    uint64_t sizes[8] = {4, 1, 8, 4, 1, 4, 6, 6};
    for (int i = 0; i < 8; i++) {
        OK(npu_malloc(d, sizes[i], &p[i]));
    }
    OK(npu_memcpy_h2d(p[0], 0, &asv, 4));
    OK(npu_memcpy_h2d(p[1], 0, &azv, 1));
    OK(npu_memcpy_h2d(p[2], 0, bsv, 8));
    OK(npu_memcpy_h2d(p[3], 0, &ysv, 4));
    OK(npu_memcpy_h2d(p[4], 0, &yzv, 1));
    OK(npu_memcpy_h2d(p[6], 0, av, 6));
    OK(npu_memcpy_h2d(p[7], 0, bv, 6));
    npu_buffer *qin[7] = {p[0], p[1], p[2], p[3], p[4], p[6], p[7]}, *qout[1] = {p[5]};
    OK(npu_graph_execute(q, qin, 7, qout, 1, NULL));
    OK(npu_memcpy_d2h(ov, p[5], 0, 4));
    int exact = 1;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            long acc = 0;
            for (int k = 0; k < 3; k++) acc += (long)(av[i * 3 + k] - azv) * bv[k * 2 + j];
            double r = rint((double)acc * asv * bsv[j] / ysv) + yzv;
            r = r < 0 ? 0 : (r > 255 ? 255 : r);
            exact &= ov[i * 2 + j] == (uint8_t)r;
        }
    }
    CHECK(exact);
    float zero = 0.0f;
    OK(npu_memcpy_h2d(p[3], 0, &zero, 4));
    CHECK(npu_graph_execute(q, qin, 7, qout, 1, NULL) == NPU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(npu_get_last_error_detail(), "finite and > 0") != NULL);

    /* An event orders the stream after host work; an event signalled with an error fails it. */
    npu_event *e = NULL;
    OK(npu_event_create(&e));
    completion c;
    completion_init(&c);
    OK(npu_stream_wait_event(s, e));
    OK(npu_stream_add_callback(s, on_complete, &c));
    npu_sleep_ns(2000000);
    pthread_mutex_lock(&c.lock);
    CHECK(c.calls == 0);
    pthread_mutex_unlock(&c.lock);
    OK(npu_event_signal(e, NPU_SUCCESS)); /* gives up the handle */
    completion_wait(&c, 1);
    CHECK(c.status == NPU_SUCCESS);
    OK(npu_event_create(&e));
    OK(npu_stream_wait_event(s, e));
    OK(npu_stream_add_callback(s, on_complete, &c));
    OK(npu_event_signal(e, NPU_ERROR_DEVICE_LOST));
    completion_wait(&c, 2);
    CHECK(c.status == NPU_ERROR_DEPENDENCY_FAILED);
    CHECK(npu_stream_synchronize(s) == NPU_ERROR_DEPENDENCY_FAILED);
    completion_destroy(&c);
    /* An event that is never signalled is destroyed instead; one signalled on no stream frees itself. */
    OK(npu_event_create(&e));
    OK(npu_event_destroy(e));
    OK(npu_event_create(&e));
    OK(npu_event_signal(e, NPU_SUCCESS));
    OK(npu_device_close(d));
    CHECK(npu_get_allocation_count() == 0);
}

static void test_device_lost_and_env(void) {
    setenv("ACCELNPU_FAULTS", "device_lost=2", 1);
    npu_device *d = NULL;
    OK(npu_device_open(0, &d));
    unsetenv("ACCELNPU_FAULTS");
    npu_graph *g = NULL;
    OK(npu_graph_create(d, &g));
    int64_t dims[1] = {4};
    npu_tensor_desc x = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_INPUT, 1, dims);
    npu_tensor_desc y = desc(NPU_DTYPE_FLOAT16, NPU_ROLE_OUTPUT, 1, dims);
    int32_t ix, iy;
    OK(npu_graph_add_tensor(g, &x, &ix));
    OK(npu_graph_add_tensor(g, &y, &iy));
    npu_node_desc n = node(NPU_OP_CLIP, 1, &ix, iy);
    n.fattrs[0] = 1.0;
    n.fattrs[1] = 0.0;
    CHECK(npu_graph_add_node(g, &n) == NPU_ERROR_INVALID_ARGUMENT);
    n.fattrs[0] = -1.0;
    n.fattrs[1] = 1.0;
    OK(npu_graph_add_node(g, &n));
    OK(npu_graph_compile(g));
    npu_buffer *bx, *by;
    OK(npu_malloc(d, 8, &bx));
    OK(npu_malloc(d, 8, &by));
    OK(npu_device_set_option(d, NPU_OPTION_SLEEP_TO_SIMULATED_TIME, 1));
    uint64_t t0 = npu_now_ns(), sim = 0;
    OK(npu_graph_execute(g, &bx, 1, &by, 1, &sim));
    CHECK(npu_now_ns() - t0 >= sim); /* it slept to the simulated time */
    CHECK(npu_graph_execute(g, &bx, 1, &by, 1, NULL) == NPU_ERROR_DEVICE_LOST);
    CHECK(strstr(npu_get_last_error_detail(), "injected") != NULL);
    npu_buffer *b3 = NULL;
    CHECK(npu_malloc(d, 8, &b3) == NPU_ERROR_DEVICE_LOST);
    npu_stream *s = NULL;
    CHECK(npu_stream_create(d, &s) == NPU_ERROR_DEVICE_LOST);
    void *lost_memory = NULL;
    OK(npu_buffer_host_pointer(by, &lost_memory)); /* memory stays addressable until freed */
    CHECK(lost_memory != NULL);
    OK(npu_free(bx));
    OK(npu_free(by));
    OK(npu_graph_destroy(g));
    OK(npu_device_close(d));
    CHECK(npu_get_allocation_count() == 0);

    setenv("ACCELNPU_FAULTS", "bogus=1", 1);
    CHECK(npu_device_open(0, &d) == NPU_ERROR_INVALID_ARGUMENT);
    setenv("ACCELNPU_FAULTS", "fail_execution=0", 1);
    CHECK(npu_device_open(0, &d) == NPU_ERROR_INVALID_ARGUMENT);
    unsetenv("ACCELNPU_FAULTS");
    setenv("ACCELNPU_DEVICE_COUNT", "2", 1);
    int32_t count = 0;
    OK(npu_get_device_count(&count));
    CHECK(count == 2);
    unsetenv("ACCELNPU_DEVICE_COUNT");
}

static void test_unsupported(void) {
    npu_device *d = NULL;
    OK(npu_device_open(0, &d));
    npu_graph *g = NULL;
    OK(npu_graph_create(d, &g));
    int64_t dims[2] = {2, 2};
    npu_tensor_desc a = desc(NPU_DTYPE_INT8, NPU_ROLE_INPUT, 2, dims);
    npu_tensor_desc y = desc(NPU_DTYPE_INT8, NPU_ROLE_OUTPUT, 2, dims);
    int32_t ia, ib, iy;
    OK(npu_graph_add_tensor(g, &a, &ia));
    OK(npu_graph_add_tensor(g, &a, &ib));
    OK(npu_graph_add_tensor(g, &y, &iy));
    int32_t ins[2] = {ia, ib};
    npu_node_desc add = node(NPU_OP_ADD, 2, ins, iy);
    CHECK(npu_graph_add_node(g, &add) == NPU_ERROR_UNSUPPORTED);
    CHECK(strstr(npu_get_last_error_detail(), "float16 only") != NULL);
    npu_node_desc mm = node(NPU_OP_MATMUL, 2, ins, iy);
    CHECK(npu_graph_add_node(g, &mm) == NPU_ERROR_INVALID_ARGUMENT); /* int8 without quantization */
    npu_node_desc bogus = node(77, 2, ins, iy);
    CHECK(npu_graph_add_node(g, &bogus) == NPU_ERROR_UNSUPPORTED);
    CHECK(npu_graph_compile(g) == NPU_ERROR_INVALID_ARGUMENT); /* no nodes */
    CHECK(npu_graph_destroy((npu_graph *)d) == NPU_ERROR_INVALID_HANDLE);
    OK(npu_graph_destroy(g));
    OK(npu_device_close(d));
    CHECK(npu_get_allocation_count() == 0);
}

int main(void) {
    test_library();
    test_half();
    test_devices_and_memory();
    test_int8_conv();
    test_fp16_chain_and_dynamic_quant();
    test_device_lost_and_env();
    test_unsupported();
    if (g_failures != 0) {
        printf("%d of %d checks FAILED\n", g_failures, g_checks);
        return 1;
    }
    printf("ALL PASSED: %d checks\n", g_checks);
    return 0;
}
