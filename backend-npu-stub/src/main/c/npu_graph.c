/*
 * npu_graph.c: building, compiling and executing op graphs; the timing model; fault injection
 * at execution.
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

npu_status npu_graph_create(npu_device *d, npu_graph **graph) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_graph_create: not a device handle");
    }
    if (graph == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_create: graph is NULL");
    }
    *graph = NULL;
    if (atomic_load(&d->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "npu_graph_create: device %d was lost", (int)d->index);
    }
    npu_graph *g = npu_obj_alloc(sizeof *g);
    if (g == NULL) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_create: no host memory");
    }
    g->magic = NPU_MAGIC_GRAPH;
    g->device = d;
    pthread_mutex_init(&g->exec_lock, NULL);
    atomic_init(&g->refs, 1);
    atomic_init(&g->handle_released, 0);
    pthread_mutex_lock(&d->lock);
    g->next = d->graphs;
    if (d->graphs != NULL) {
        d->graphs->prev = g;
    }
    d->graphs = g;
    pthread_mutex_unlock(&d->lock);
    *graph = g;
    return NPU_SUCCESS;
}

static void graph_free(npu_graph *g) {
    for (int32_t i = 0; i < g->num_tensors; i++) {
        free(g->tensors[i].scales);
        free(g->tensors[i].zero_points);
    }
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->internal);
    pthread_mutex_destroy(&g->exec_lock);
    g->magic = 0;
    npu_obj_free(g);
}

static void graph_unlink(npu_graph *g) {
    npu_device *d = g->device;
    pthread_mutex_lock(&d->lock);
    if (g->prev != NULL) {
        g->prev->next = g->next;
    } else {
        d->graphs = g->next;
    }
    if (g->next != NULL) {
        g->next->prev = g->prev;
    }
    d->used_bytes -= g->internal_bytes;
    pthread_mutex_unlock(&d->lock);
}

void npu_graph_retain(npu_graph *g) {
    atomic_fetch_add(&g->refs, 1);
}

void npu_graph_release(npu_graph *g) {
    if (atomic_fetch_sub(&g->refs, 1) == 1) {
        graph_unlink(g);
        graph_free(g);
    }
}

void npu_graph_destroy_all(npu_device *d) {
    for (;;) {
        pthread_mutex_lock(&d->lock);
        npu_graph *g = d->graphs;
        pthread_mutex_unlock(&d->lock);
        if (g == NULL) {
            return;
        }
        graph_unlink(g);
        graph_free(g);
    }
}

npu_status npu_graph_destroy(npu_graph *g) {
    npu_api_enter();
    if (g == NULL || g->magic != NPU_MAGIC_GRAPH) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_graph_destroy: not a graph handle");
    }
    if (atomic_exchange(&g->handle_released, 1) != 0) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_graph_destroy: the graph was already destroyed");
    }
    npu_graph_release(g);
    return NPU_SUCCESS;
}

static npu_status check_building(const npu_graph *g, const char *op) {
    if (!graph_valid(g)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: not a live graph handle", op);
    }
    if (g->compiled) {
        return npu_fail(NPU_ERROR_ALREADY_COMPILED, "%s: the graph is already compiled", op);
    }
    return NPU_SUCCESS;
}

static int grow(void **array, int32_t *cap, int32_t need, size_t elem) {
    if (need <= *cap) {
        return 1;
    }
    int32_t n = *cap == 0 ? 8 : *cap * 2;
    while (n < need) {
        n *= 2;
    }
    void *p = realloc(*array, (size_t)n * elem);
    if (p == NULL) {
        return 0;
    }
    *array = p;
    *cap = n;
    return 1;
}

static npu_status check_quant_desc(const npu_graph *g, const npu_tensor_desc *d) {
    const npu_quant_params *q = &d->quant;
    if (q->kind == NPU_QUANT_NONE) {
        return NPU_SUCCESS;
    }
    if (d->dtype != NPU_DTYPE_INT8 && d->dtype != NPU_DTYPE_UINT8) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "quantization parameters on a %s tensor; only int8 and uint8 "
                        "tensors are quantized", npu_dtype_name(d->dtype));
    }
    if (q->axis < -1 || q->axis >= d->rank) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "quantization axis %d is out of range for rank %d",
                        (int)q->axis, (int)d->rank);
    }
    int64_t channels = q->axis < 0 ? 1 : d->dims[q->axis];
    if (q->kind == NPU_QUANT_STATIC) {
        if (q->count != 1 && !(q->axis >= 0 && q->count == channels)) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%d static scales given; requires 1 or %lld (axis %d)",
                            (int)q->count, (long long)channels, (int)q->axis);
        }
        if (q->scales == NULL) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "static quantization without scales");
        }
        int32_t lo = d->dtype == NPU_DTYPE_INT8 ? -128 : 0, hi = d->dtype == NPU_DTYPE_INT8 ? 127 : 255;
        for (int32_t i = 0; i < q->count; i++) {
            if (!isfinite(q->scales[i]) || !(q->scales[i] > 0.0f)) {
                return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "scale %d is %g; scales must be finite and > 0",
                                (int)i, (double)q->scales[i]);
            }
            if (q->zero_points != NULL && (q->zero_points[i] < lo || q->zero_points[i] > hi)) {
                return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "zero point %d is %d, outside %s's range %d to %d",
                                (int)i, (int)q->zero_points[i], npu_dtype_name(d->dtype), (int)lo, (int)hi);
            }
        }
        return NPU_SUCCESS;
    }
    if (q->kind != NPU_QUANT_FROM_TENSORS) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "quantization kind %d is unknown", (int)q->kind);
    }
    if (q->scale_tensor < 0 || q->scale_tensor >= g->num_tensors) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "scale tensor id %d is not a tensor of the graph",
                        (int)q->scale_tensor);
    }
    const npu_tensor *s = &g->tensors[q->scale_tensor];
    if (s->desc.dtype != NPU_DTYPE_FLOAT32 || s->desc.role != NPU_ROLE_INPUT ||
        (s->numel != 1 && !(q->axis >= 0 && s->numel == channels))) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "scale tensor %d is a %s %s tensor of %lld elements; requires a "
                        "float32 graph input of 1 or %lld elements", (int)q->scale_tensor,
                        s->desc.role == NPU_ROLE_INPUT ? "input" : "non-input", npu_dtype_name(s->desc.dtype),
                        (long long)s->numel, (long long)channels);
    }
    if (q->zero_point_tensor != -1) {
        if (q->zero_point_tensor < 0 || q->zero_point_tensor >= g->num_tensors) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "zero-point tensor id %d is not a tensor of the graph",
                            (int)q->zero_point_tensor);
        }
        const npu_tensor *z = &g->tensors[q->zero_point_tensor];
        if (z->desc.dtype != d->dtype || z->desc.role != NPU_ROLE_INPUT || z->numel != s->numel) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "zero-point tensor %d must be a %s graph input of %lld "
                            "elements", (int)q->zero_point_tensor, npu_dtype_name(d->dtype), (long long)s->numel);
        }
    }
    return NPU_SUCCESS;
}

npu_status npu_graph_add_tensor(npu_graph *g, const npu_tensor_desc *desc, int32_t *tensor_id) {
    npu_api_enter();
    npu_status st = check_building(g, "npu_graph_add_tensor");
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (desc == NULL || tensor_id == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_tensor: desc or tensor_id is NULL");
    }
    if (npu_dtype_size(desc->dtype) == 0) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_tensor: dtype %d is unknown", (int)desc->dtype);
    }
    if (desc->rank < 0 || desc->rank > NPU_MAX_RANK) {
        return npu_fail(NPU_ERROR_UNSUPPORTED, "npu_graph_add_tensor: rank %d; the NPU takes ranks 0 to %d",
                        (int)desc->rank, NPU_MAX_RANK);
    }
    int64_t numel = 1;
    for (int32_t i = 0; i < desc->rank; i++) {
        if (desc->dims[i] < 0 || (desc->dims[i] > 0 && numel > (INT64_C(1) << 40) / desc->dims[i])) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_tensor: dimension %d is %lld; dimensions must "
                            "be >= 0 and the tensor at most 2^40 elements", (int)i, (long long)desc->dims[i]);
        }
        numel *= desc->dims[i];
    }
    if (desc->role < NPU_ROLE_INPUT || desc->role > NPU_ROLE_INTERNAL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_tensor: role %d is unknown", (int)desc->role);
    }
    if (desc->dtype == NPU_DTYPE_FLOAT32 && desc->role != NPU_ROLE_INPUT) {
        return npu_fail(NPU_ERROR_UNSUPPORTED, "npu_graph_add_tensor: a float32 tensor can only be a graph input "
                        "holding quantization scales; the NPU computes in int8 and float16 only");
    }
    st = check_quant_desc(g, desc);
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (!grow((void **)&g->tensors, &g->cap_tensors, g->num_tensors + 1, sizeof(npu_tensor))) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_add_tensor: no host memory");
    }
    int32_t *list = desc->role == NPU_ROLE_INPUT ? g->inputs : g->outputs;
    int32_t count = desc->role == NPU_ROLE_INPUT ? g->num_inputs : g->num_outputs;
    if (desc->role != NPU_ROLE_INTERNAL) {
        int32_t *grown = realloc(list, sizeof(int32_t) * (size_t)(count + 1));
        if (grown == NULL) {
            return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_add_tensor: no host memory");
        }
        grown[count] = g->num_tensors;
        if (desc->role == NPU_ROLE_INPUT) {
            g->inputs = grown;
            g->num_inputs++;
        } else {
            g->outputs = grown;
            g->num_outputs++;
        }
    }
    npu_tensor *t = &g->tensors[g->num_tensors];
    memset(t, 0, sizeof *t);
    t->desc = *desc;
    t->numel = numel;
    t->bytes = (uint64_t)numel * (uint64_t)npu_dtype_size(desc->dtype);
    t->desc.quant.scales = NULL;
    t->desc.quant.zero_points = NULL;
    if (desc->quant.kind == NPU_QUANT_STATIC) {
        size_t n = (size_t)desc->quant.count;
        t->scales = malloc(n * sizeof(float));
        t->zero_points = calloc(n, sizeof(int32_t));
        if (t->scales == NULL || t->zero_points == NULL) {
            free(t->scales);
            free(t->zero_points);
            t->scales = NULL;
            t->zero_points = NULL;
            return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_add_tensor: no host memory");
        }
        memcpy(t->scales, desc->quant.scales, n * sizeof(float));
        if (desc->quant.zero_points != NULL) {
            memcpy(t->zero_points, desc->quant.zero_points, n * sizeof(int32_t));
        }
        t->desc.quant.scales = t->scales;
        t->desc.quant.zero_points = t->zero_points;
    }
    *tensor_id = g->num_tensors++;
    return NPU_SUCCESS;
}

npu_status npu_graph_add_node(npu_graph *g, const npu_node_desc *node) {
    npu_api_enter();
    npu_status st = check_building(g, "npu_graph_add_node");
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (node == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_node: node is NULL");
    }
    if (node->num_inputs < 0 || node->num_inputs > NPU_MAX_NODE_IO || node->num_outputs < 1 ||
        node->num_outputs > NPU_MAX_NODE_IO) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_node: %d inputs and %d outputs; allowed 0 to %d "
                        "and 1 to %d", (int)node->num_inputs, (int)node->num_outputs, NPU_MAX_NODE_IO, NPU_MAX_NODE_IO);
    }
    const npu_tensor_desc *in[NPU_MAX_NODE_IO], *out[NPU_MAX_NODE_IO];
    for (int32_t i = 0; i < node->num_inputs + node->num_outputs; i++) {
        int is_in = i < node->num_inputs;
        int32_t id = is_in ? node->inputs[i] : node->outputs[i - node->num_inputs];
        if (id < 0 || id >= g->num_tensors) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_node: %s %d names tensor %d; the graph has %d",
                            is_in ? "input" : "output", (int)(is_in ? i : i - node->num_inputs), (int)id,
                            (int)g->num_tensors);
        }
        const npu_tensor *t = &g->tensors[id];
        if (is_in && t->desc.role != NPU_ROLE_INPUT && t->producers == 0) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_node: input tensor %d has no producer yet; add "
                            "nodes in execution order", (int)id);
        }
        if (!is_in && (t->desc.role == NPU_ROLE_INPUT || t->producers != 0)) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_add_node: output tensor %d is a graph input or "
                            "already produced", (int)id);
        }
        if (is_in) {
            in[i] = &t->desc;
        } else {
            out[i - node->num_inputs] = &t->desc;
        }
    }
    char why[NPU_DETAIL_LEN];
    st = npu_node_validate(node, in, out, why, sizeof why);
    if (st != NPU_SUCCESS) {
        return npu_fail(st, "%s", why);
    }
    if (!grow((void **)&g->nodes, &g->cap_nodes, g->num_nodes + 1, sizeof(npu_node_desc))) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_add_node: no host memory");
    }
    g->nodes[g->num_nodes++] = *node;
    for (int32_t i = 0; i < node->num_outputs; i++) {
        g->tensors[node->outputs[i]].producers++;
    }
    for (int32_t i = 0; i < node->num_inputs; i++) {
        g->tensors[node->inputs[i]].consumers++;
    }
    return NPU_SUCCESS;
}

static void node_descs(const npu_graph *g, const npu_node_desc *n, const npu_tensor_desc **in,
                       const npu_tensor_desc **out) {
    for (int32_t i = 0; i < n->num_inputs; i++) {
        in[i] = &g->tensors[n->inputs[i]].desc;
    }
    for (int32_t i = 0; i < n->num_outputs; i++) {
        out[i] = &g->tensors[n->outputs[i]].desc;
    }
}

npu_status npu_graph_compile(npu_graph *g) {
    npu_api_enter();
    npu_status st = check_building(g, "npu_graph_compile");
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (g->num_nodes == 0) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_compile: the graph has no nodes");
    }
    uint64_t internal = 0;
    for (int32_t i = 0; i < g->num_tensors; i++) {
        npu_tensor *t = &g->tensors[i];
        if (t->desc.role != NPU_ROLE_INPUT && t->producers == 0) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_compile: tensor %d is an output or internal "
                            "tensor that no node produces", (int)i);
        }
        if (t->desc.role == NPU_ROLE_INTERNAL) {
            t->internal_offset = internal;
            internal += (t->bytes + 63u) & ~(uint64_t)63u;
        }
    }
    npu_device *d = g->device;
    if (atomic_load(&d->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "npu_graph_compile: device %d was lost", (int)d->index);
    }
    if (internal > 0) {
        pthread_mutex_lock(&d->lock);
        uint64_t free_bytes = d->props.memory_bytes - d->used_bytes;
        if (internal > free_bytes) {
            pthread_mutex_unlock(&d->lock);
            return npu_fail(NPU_ERROR_OUT_OF_MEMORY, "npu_graph_compile: internal tensors need %" PRIu64 " bytes, %"
                            PRIu64 " bytes free", internal, free_bytes);
        }
        d->used_bytes += internal;
        pthread_mutex_unlock(&d->lock);
        g->internal = malloc((size_t)internal);
        if (g->internal == NULL) {
            pthread_mutex_lock(&d->lock);
            d->used_bytes -= internal;
            pthread_mutex_unlock(&d->lock);
            return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_graph_compile: no host memory for internal tensors");
        }
        g->internal_bytes = internal;
    }
    /* Timing model: per node the longer of compute at peak and memory traffic at bandwidth. */
    double ns = d->props.launch_latency_us * 1e3;
    g->ops = 0;
    g->bytes = 0;
    for (int32_t i = 0; i < g->num_nodes; i++) {
        const npu_tensor_desc *in[NPU_MAX_NODE_IO], *out[NPU_MAX_NODE_IO];
        node_descs(g, &g->nodes[i], in, out);
        double ops, bytes;
        int int8;
        npu_node_cost(&g->nodes[i], in, out, &ops, &bytes, &int8);
        double peak = (int8 ? d->props.peak_tops_int8 : d->props.peak_tflops_fp16) * 1e12;
        double compute = ops / peak * 1e9, memory = bytes / (d->props.memory_bandwidth_gbs * 1e9) * 1e9;
        ns += compute > memory ? compute : memory;
        g->ops += ops;
        g->bytes += bytes;
    }
    g->estimated_ns = (uint64_t)ceil(ns);
    g->compiled = 1;
    return NPU_SUCCESS;
}

npu_status npu_graph_get_info(const npu_graph *g, npu_graph_info *info) {
    npu_api_enter();
    if (!graph_valid(g)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_graph_get_info: not a live graph handle");
    }
    if (info == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_graph_get_info: info is NULL");
    }
    info->num_inputs = g->num_inputs;
    info->num_outputs = g->num_outputs;
    info->num_nodes = g->num_nodes;
    info->num_tensors = g->num_tensors;
    info->internal_bytes = g->internal_bytes;
    info->ops = g->ops;
    info->bytes = g->bytes;
    info->estimated_ns = g->estimated_ns;
    return NPU_SUCCESS;
}
