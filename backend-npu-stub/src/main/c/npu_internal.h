/*
 * npu_internal.h: what the parts of libaccelnpu share. Not installed; bindings use accelnpu.h.
 */
#ifndef NPU_INTERNAL_H
#define NPU_INTERNAL_H

#include "accelnpu.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>

#define NPU_INTERNAL __attribute__((visibility("hidden")))

/* Handle kinds, stored first in every handle so that a handle of the wrong kind is caught. */
#define NPU_MAGIC_DEVICE 0x4e505544u
#define NPU_MAGIC_BUFFER 0x4e505542u
#define NPU_MAGIC_STREAM 0x4e505553u
#define NPU_MAGIC_GRAPH 0x4e505547u
#define NPU_MAGIC_EVENT 0x4e505545u

#define NPU_DETAIL_LEN 512

struct npu_device {
    uint32_t magic;
    int32_t index;
    pthread_mutex_t lock;           /* guards everything below */
    npu_device_properties props;
    uint64_t used_bytes;
    atomic_int lost;
    int sleep_to_simulated;
    uint64_t executions;            /* executions attempted */
    uint64_t failed_executions;
    uint64_t allocations;           /* allocations attempted */
    uint64_t fail_execution_at;     /* 0: not armed; else the execution number that fails */
    uint64_t lost_at_execution;
    uint64_t oom_at_allocation;
    uint64_t simulated_ns;
    uint64_t live_buffers;
    struct npu_buffer *buffers;     /* doubly linked lists of what the device owns */
    struct npu_stream *streams;
    struct npu_graph *graphs;
};

struct npu_buffer {
    uint32_t magic;
    npu_device *device;
    unsigned char *data;
    uint64_t size;
    atomic_int refs;                /* the handle's reference, plus one per queued command */
    atomic_int handle_released;     /* npu_free was called */
    struct npu_buffer *prev, *next;
};

/* A tensor of a graph, with its own copy of static quantization parameters. */
typedef struct npu_tensor {
    npu_tensor_desc desc;           /* quant.scales / quant.zero_points point at the copies below */
    float *scales;
    int32_t *zero_points;
    int64_t numel;
    uint64_t bytes;
    uint64_t internal_offset;       /* for NPU_ROLE_INTERNAL, into the graph's internal memory */
    int32_t consumers;
    int32_t producers;
} npu_tensor;

struct npu_graph {
    uint32_t magic;
    npu_device *device;
    pthread_mutex_t exec_lock;      /* executions of one graph share its internal memory: one at a time */
    atomic_int refs;
    atomic_int handle_released;
    int compiled;
    npu_tensor *tensors;
    int32_t num_tensors, cap_tensors;
    npu_node_desc *nodes;
    int32_t num_nodes, cap_nodes;
    int32_t *inputs;                /* tensor ids of the inputs, in the order added */
    int32_t num_inputs;
    int32_t *outputs;
    int32_t num_outputs;
    unsigned char *internal;
    uint64_t internal_bytes;
    double ops, bytes;
    uint64_t estimated_ns;
    struct npu_graph *prev, *next;
};

/* A tensor as a kernel sees it during one execution. */
typedef struct npu_tview {
    const npu_tensor_desc *desc;
    unsigned char *data;
    int64_t numel;
    int32_t qcount;                 /* 0 when not quantized */
    int32_t qaxis;                  /* -1 per tensor */
    const float *scales;
    const int32_t *zero_points;
} npu_tview;

/* ---- npu_core.c and npu_memory.c */
NPU_INTERNAL npu_status npu_fail(npu_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
NPU_INTERNAL void npu_api_enter(void);
NPU_INTERNAL void *npu_obj_alloc(size_t bytes);
NPU_INTERNAL void npu_obj_free(void *p);
NPU_INTERNAL int npu_device_valid(const npu_device *d);
NPU_INTERNAL int npu_buffer_valid(const npu_buffer *b);
NPU_INTERNAL void npu_buffer_retain(npu_buffer *b);
NPU_INTERNAL void npu_buffer_release(npu_buffer *b);
NPU_INTERNAL npu_status npu_check_range(const npu_buffer *b, uint64_t offset, uint64_t bytes, const char *what);
NPU_INTERNAL uint64_t npu_now_ns(void);
NPU_INTERNAL void npu_sleep_ns(uint64_t ns);

/* ---- npu_stream.c */
/* Destroys every stream of the device, each after its queued work; the device lock must not be held. */
NPU_INTERNAL void npu_stream_destroy_all(npu_device *d);

/* ---- npu_graph.c and npu_execute.c */
NPU_INTERNAL void npu_graph_retain(npu_graph *g);
NPU_INTERNAL void npu_graph_release(npu_graph *g);
NPU_INTERNAL void npu_graph_destroy_all(npu_device *d);
/* Checks a graph handle and the buffers bound to it for an execution; op names the calling function. */
NPU_INTERNAL npu_status npu_graph_check_bindings(const npu_graph *g, npu_buffer *const *inputs, int32_t num_inputs,
                                                 npu_buffer *const *outputs, int32_t num_outputs, const char *op);
/* Runs a compiled graph (counting, fault injection, timing); detail receives the error message. */
NPU_INTERNAL npu_status npu_graph_run(npu_graph *g, npu_buffer *const *inputs, npu_buffer *const *outputs,
                                      uint64_t *simulated_ns, char *detail, size_t detail_len);

/* ---- npu_ops.c: validation, cost and kernels of single nodes */
NPU_INTERNAL npu_status npu_node_validate(const npu_node_desc *node, const npu_tensor_desc *const *in,
                                          const npu_tensor_desc *const *out, char *why, size_t why_len);
NPU_INTERNAL void npu_node_cost(const npu_node_desc *node, const npu_tensor_desc *const *in,
                                const npu_tensor_desc *const *out, double *ops, double *bytes, int *is_int8);
NPU_INTERNAL void npu_node_run(const npu_node_desc *node, const npu_tview *const *in, const npu_tview *const *out);
NPU_INTERNAL int64_t npu_desc_numel(const npu_tensor_desc *d);
NPU_INTERNAL int npu_dtype_size(int32_t dtype);
NPU_INTERNAL const char *npu_dtype_name(int32_t dtype);

/* ---- npu_half.c */
NPU_INTERNAL float npu_half_to_float(uint16_t h);
NPU_INTERNAL uint16_t npu_float_to_half(float f);
/* npu_half_to_float of every half, indexed by its bits: the kernels' load path. Valid after npu_half_init(). */
NPU_INTERNAL extern float npu_half_lut[65536];
NPU_INTERNAL void npu_half_init(void);

#endif /* NPU_INTERNAL_H */
