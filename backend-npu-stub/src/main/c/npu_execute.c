/*
 * npu_execute.c: executing compiled graphs: binding buffers, reading quantization parameters from
 * device memory, fault injection, the timing model's report and the optional sleep to it.
 */
#include "npu_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int graph_valid(const npu_graph *g) {
    return g != NULL && g->magic == NPU_MAGIC_GRAPH && atomic_load(&g->handle_released) == 0;
}

npu_status npu_graph_check_bindings(const npu_graph *g, npu_buffer *const *inputs, int32_t num_inputs,
                                    npu_buffer *const *outputs, int32_t num_outputs, const char *op) {
    if (!graph_valid(g)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: not a live graph handle", op);
    }
    if (!g->compiled) {
        return npu_fail(NPU_ERROR_NOT_COMPILED, "%s: the graph was not compiled", op);
    }
    if (num_inputs != g->num_inputs || num_outputs != g->num_outputs) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: %d inputs and %d outputs bound; the graph has %d and %d", op,
                        (int)num_inputs, (int)num_outputs, (int)g->num_inputs, (int)g->num_outputs);
    }
    if ((num_inputs > 0 && inputs == NULL) || outputs == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: an input or output array is NULL", op);
    }
    for (int32_t i = 0; i < num_inputs + num_outputs; i++) {
        int is_in = i < num_inputs;
        int32_t k = is_in ? i : i - num_inputs;
        const npu_buffer *b = is_in ? inputs[k] : outputs[k];
        const npu_tensor *t = &g->tensors[is_in ? g->inputs[k] : g->outputs[k]];
        if (!npu_buffer_valid(b)) {
            return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: %s %d is not a live buffer handle", op,
                            is_in ? "input" : "output", (int)k);
        }
        if (b->device != g->device) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: %s %d belongs to another device", op,
                            is_in ? "input" : "output", (int)k);
        }
        if (b->size < t->bytes) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: %s %d has %" PRIu64 " bytes, the tensor needs %" PRIu64, op,
                            is_in ? "input" : "output", (int)k, b->size, t->bytes);
        }
    }
    return NPU_SUCCESS;
}

/* Fills views[i] with tensor i's data and quantization; reads FROM_TENSORS parameters from device memory. */
static npu_status bind_views(const npu_graph *g, npu_buffer *const *inputs, npu_buffer *const *outputs,
                             npu_tview *views, float *scales, int32_t *zeros, char *detail, size_t len) {
    for (int32_t k = 0; k < g->num_inputs; k++) {
        views[g->inputs[k]].data = inputs[k]->data;
    }
    for (int32_t k = 0; k < g->num_outputs; k++) {
        views[g->outputs[k]].data = outputs[k]->data;
    }
    size_t used = 0;
    for (int32_t i = 0; i < g->num_tensors; i++) {
        const npu_tensor *t = &g->tensors[i];
        npu_tview *v = &views[i];
        v->desc = &t->desc;
        v->numel = t->numel;
        v->qaxis = t->desc.quant.axis;
        if (t->desc.role == NPU_ROLE_INTERNAL) {
            v->data = g->internal + t->internal_offset;
        }
        if (t->desc.quant.kind == NPU_QUANT_STATIC) {
            v->qcount = t->desc.quant.count;
            v->scales = t->scales;
            v->zero_points = t->zero_points;
        } else if (t->desc.quant.kind == NPU_QUANT_FROM_TENSORS) {
            const npu_tensor *st = &g->tensors[t->desc.quant.scale_tensor];
            int32_t n = (int32_t)st->numel;
            float *s = scales + used;
            int32_t *z = zeros + used;
            used += (size_t)n;
            memcpy(s, views[t->desc.quant.scale_tensor].data, (size_t)n * sizeof(float));
            int32_t zt = t->desc.quant.zero_point_tensor;
            for (int32_t c = 0; c < n; c++) {
                if (!isfinite(s[c]) || !(s[c] > 0.0f)) {
                    snprintf(detail, len, "tensor %d: scale %d read from tensor %d is %g; scales must be finite and > 0",
                             (int)i, (int)c, (int)t->desc.quant.scale_tensor, (double)s[c]);
                    return NPU_ERROR_INVALID_ARGUMENT;
                }
                if (zt < 0) {
                    z[c] = 0;
                } else if (t->desc.dtype == NPU_DTYPE_INT8) {
                    z[c] = (int8_t)views[zt].data[c];
                } else {
                    z[c] = views[zt].data[c];
                }
            }
            v->qcount = n;
            v->scales = s;
            v->zero_points = z;
        }
    }
    return NPU_SUCCESS;
}

npu_status npu_graph_run(npu_graph *g, npu_buffer *const *inputs, npu_buffer *const *outputs, uint64_t *simulated_ns,
                         char *detail, size_t len) {
    npu_device *d = g->device;
    *simulated_ns = 0;
    npu_status st = NPU_SUCCESS;
    pthread_mutex_lock(&d->lock);
    uint64_t n = ++d->executions;
    if (atomic_load(&d->lost)) {
        st = NPU_ERROR_DEVICE_LOST;
        snprintf(detail, len, "execution #%" PRIu64 ": device %d was lost", n, (int)d->index);
    } else if (d->lost_at_execution != 0 && n == d->lost_at_execution) {
        d->lost_at_execution = 0;
        atomic_store(&d->lost, 1);
        st = NPU_ERROR_DEVICE_LOST;
        snprintf(detail, len, "injected fault: device %d lost at execution #%" PRIu64, (int)d->index, n);
    } else if (d->fail_execution_at != 0 && n == d->fail_execution_at) {
        d->fail_execution_at = 0;
        st = NPU_ERROR_EXECUTION_FAILED;
        snprintf(detail, len, "injected fault: execution #%" PRIu64 " failed", n);
    }
    if (st != NPU_SUCCESS) {
        d->failed_executions++;
    }
    int sleep = d->sleep_to_simulated;
    pthread_mutex_unlock(&d->lock);
    if (st != NPU_SUCCESS) {
        return st;
    }
    size_t nt = (size_t)g->num_tensors, params = 0;
    for (int32_t i = 0; i < g->num_tensors; i++) {
        if (g->tensors[i].desc.quant.kind == NPU_QUANT_FROM_TENSORS) {
            params += (size_t)g->tensors[g->tensors[i].desc.quant.scale_tensor].numel;
        }
    }
    npu_tview *views = calloc(nt, sizeof *views);
    float *scales = malloc((params + 1) * sizeof(float));
    int32_t *zeros = malloc((params + 1) * sizeof(int32_t));
    if (views == NULL || scales == NULL || zeros == NULL) {
        free(views);
        free(scales);
        free(zeros);
        snprintf(detail, len, "no host memory to bind %zu tensors", nt);
        return NPU_ERROR_HOST_OUT_OF_MEMORY;
    }
    pthread_mutex_lock(&g->exec_lock);
    uint64_t t0 = npu_now_ns();
    st = bind_views(g, inputs, outputs, views, scales, zeros, detail, len);
    for (int32_t i = 0; st == NPU_SUCCESS && i < g->num_nodes; i++) {
        const npu_node_desc *node = &g->nodes[i];
        const npu_tview *in[NPU_MAX_NODE_IO], *out[NPU_MAX_NODE_IO];
        for (int32_t k = 0; k < node->num_inputs; k++) {
            in[k] = &views[node->inputs[k]];
        }
        for (int32_t k = 0; k < node->num_outputs; k++) {
            out[k] = &views[node->outputs[k]];
        }
        npu_node_run(node, in, out);
    }
    uint64_t elapsed = npu_now_ns() - t0;
    pthread_mutex_unlock(&g->exec_lock);
    free(views);
    free(scales);
    free(zeros);
    pthread_mutex_lock(&d->lock);
    if (st == NPU_SUCCESS) {
        d->simulated_ns += g->estimated_ns;
    } else {
        d->failed_executions++;
    }
    pthread_mutex_unlock(&d->lock);
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (sleep && g->estimated_ns > elapsed) {
        npu_sleep_ns(g->estimated_ns - elapsed);
    }
    *simulated_ns = g->estimated_ns;
    return NPU_SUCCESS;
}

npu_status npu_graph_execute(npu_graph *g, npu_buffer *const *inputs, int32_t num_inputs, npu_buffer *const *outputs,
                             int32_t num_outputs, uint64_t *simulated_ns) {
    npu_api_enter();
    npu_status st = npu_graph_check_bindings(g, inputs, num_inputs, outputs, num_outputs, "npu_graph_execute");
    if (st != NPU_SUCCESS) {
        return st;
    }
    uint64_t sim = 0;
    char detail[NPU_DETAIL_LEN];
    detail[0] = '\0';
    st = npu_graph_run(g, inputs, outputs, &sim, detail, sizeof detail);
    if (simulated_ns != NULL) {
        *simulated_ns = sim;
    }
    return st == NPU_SUCCESS ? st : npu_fail(st, "%s", detail);
}
