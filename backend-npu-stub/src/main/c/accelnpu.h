/*
 * accelnpu.h: the public interface of libaccelnpu, a simulated NPU that behaves as a vendor SDK
 * does (in the manner of Ascend ACL, Qualcomm QNN or Android NNAPI).
 *
 * The device computes in int8 / uint8 (32-bit accumulation, requantization with round half to
 * even and saturation) and float16 (products accumulated in single precision, results rounded to
 * float16). It has no float32 arithmetic at all: a float32 tensor may only carry quantization
 * scales.
 *
 * Conventions
 * - Every function that can fail returns an npu_status; NPU_SUCCESS is 0. After a failure,
 *   npu_get_last_error_detail() on the same thread says what failed and the values involved.
 * - Handles (npu_device, npu_buffer, npu_stream, npu_graph, npu_event) are opaque. A handle must
 *   not be used after the call that destroys it. Closing a device destroys every buffer, stream
 *   and graph made from it that is still alive.
 * - Device memory is reached from the host through the npu_memcpy_* calls. Where a device keeps
 *   its memory in host memory (this simulator does), npu_buffer_host_pointer() also gives its
 *   address, under the ordering rules stated there; no other host access is defined.
 * - Work on a stream runs in order on a worker thread owned by the library. A command that fails
 *   puts the stream into an error state: later commands on it are skipped and report the first
 *   error. Callbacks run on that worker thread, must return promptly, and must not synchronize
 *   or destroy their own stream.
 * - Configuration through the environment, read when a device is opened:
 *     ACCELNPU_MEMORY_BYTES  device memory per device (default 1073741824)
 *     ACCELNPU_DEVICE_COUNT  number of devices, 1 to 4 (default 1)
 *     ACCELNPU_SLEEP         1: executions sleep until their simulated time has passed
 *     ACCELNPU_FAULTS        comma-separated faults, counted from the open of each device:
 *                            fail_execution=N (the Nth execution fails),
 *                            device_lost=N (the device is lost at the Nth execution; 0 at once),
 *                            out_of_memory=N (the Nth allocation fails)
 */
#ifndef ACCELNPU_H
#define ACCELNPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACCELNPU_VERSION_MAJOR 1
#define ACCELNPU_VERSION_MINOR 1
/** The version as npu_get_version() returns it: major in the high 16 bits, minor in the low. */
#define ACCELNPU_VERSION (((uint32_t)ACCELNPU_VERSION_MAJOR << 16) | (uint32_t)ACCELNPU_VERSION_MINOR)

#if defined(__GNUC__)
#define NPU_API __attribute__((visibility("default")))
#else
#define NPU_API
#endif

/* ---------------------------------------------------------------- status codes */

typedef int32_t npu_status;

enum {
    NPU_SUCCESS = 0,
    NPU_ERROR_INVALID_ARGUMENT = 1,  /* a null pointer, bad size, shape or attribute */
    NPU_ERROR_INVALID_HANDLE = 2,    /* a handle that is null or of the wrong kind */
    NPU_ERROR_OUT_OF_MEMORY = 3,     /* device memory exhausted (or an injected fault) */
    NPU_ERROR_HOST_OUT_OF_MEMORY = 4,
    NPU_ERROR_DEVICE_LOST = 5,       /* the device stopped responding; only destruction works */
    NPU_ERROR_UNSUPPORTED = 6,       /* an op or dtype the device cannot run */
    NPU_ERROR_NOT_COMPILED = 7,      /* execution of a graph that was not compiled */
    NPU_ERROR_ALREADY_COMPILED = 8,  /* adding to a graph after compilation */
    NPU_ERROR_EXECUTION_FAILED = 9,  /* an execution failed on the device */
    NPU_ERROR_DEPENDENCY_FAILED = 10, /* an awaited event was signalled with an error */
    NPU_ERROR_INTERNAL = 11
};
#define NPU_STATUS_COUNT 12

/* ---------------------------------------------------------------- types */

enum {
    NPU_DTYPE_INT8 = 1,
    NPU_DTYPE_UINT8 = 2,
    NPU_DTYPE_FLOAT16 = 3,
    NPU_DTYPE_INT32 = 4,   /* only as the bias of a quantized convolution */
    NPU_DTYPE_FLOAT32 = 5  /* only as a quantization-scale tensor */
};
#define NPU_DTYPE_BIT(d) (1u << (d))

#define NPU_MAX_RANK 8
#define NPU_MAX_NODE_IO 9

enum { NPU_ROLE_INPUT = 0, NPU_ROLE_OUTPUT = 1, NPU_ROLE_INTERNAL = 2 };

enum {
    NPU_QUANT_NONE = 0,
    NPU_QUANT_STATIC = 1,       /* scales and zero points given at graph building, folded at compile */
    NPU_QUANT_FROM_TENSORS = 2  /* read from parameter tensors of the graph at each execution */
};

/** Affine quantization of an int8 / uint8 tensor: real = scale * (q - zero_point). */
typedef struct npu_quant_params {
    int32_t kind;              /* NPU_QUANT_* */
    int32_t axis;              /* -1: per tensor; else the channel axis of per-channel parameters */
    int32_t count;             /* STATIC: number of scales (1, or dims[axis]) */
    int32_t scale_tensor;      /* FROM_TENSORS: id of a float32 tensor of 1 or dims[axis] scales */
    int32_t zero_point_tensor; /* FROM_TENSORS: id of a tensor of this tensor's dtype, or -1 for 0 */
    int32_t reserved;
    const float *scales;       /* STATIC: count scales, copied by the library */
    const int32_t *zero_points; /* STATIC: count zero points, copied; NULL means all 0 */
} npu_quant_params;

/** A tensor of a graph: dense, row-major. */
typedef struct npu_tensor_desc {
    int32_t dtype;             /* NPU_DTYPE_* */
    int32_t rank;              /* 0 to NPU_MAX_RANK */
    int64_t dims[NPU_MAX_RANK];
    int32_t role;              /* NPU_ROLE_*: inputs and outputs are bound at execution, in the order added */
    int32_t reserved;
    npu_quant_params quant;
} npu_tensor_desc;

enum {
    NPU_OP_CONV2D = 1,       /* in: x, w, [bias]; fp16, or int8/uint8 quantized (bias int32) */
    NPU_OP_MATMUL = 2,       /* in: a [..., M, K], b [..., K, N]; fp16, or quantized */
    NPU_OP_GEMM = 3,         /* in: a, b, [c]; fp16 */
    NPU_OP_ADD = 4,          /* in: a, b (broadcasting); fp16 */
    NPU_OP_MUL = 5,
    NPU_OP_RELU = 6,         /* in: x; fp16 */
    NPU_OP_CLIP = 7,
    NPU_OP_HARD_SWISH = 8,
    NPU_OP_POOL2D = 9,       /* in: x [N, C, H, W]; fp16 */
    NPU_OP_GLOBAL_AVERAGE_POOL = 10,
    NPU_OP_SOFTMAX = 11,
    NPU_OP_QUANTIZE = 12     /* in: x fp16; out: int8/uint8 with quantization parameters */
};

/*
 * Integer attributes (iattrs) and float attributes (fattrs) per op:
 *   CONV2D:  iattrs stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h,
 *            dilation_w, groups
 *   POOL2D:  iattrs kind (0 max, 1 average), kernel_h, kernel_w, stride_h, stride_w, pad_top,
 *            pad_left, pad_bottom, pad_right, dilation_h, dilation_w, ceil_mode, count_include_pad
 *   GEMM:    iattrs trans_a, trans_b; fattrs alpha, beta
 *   CLIP:    fattrs min, max
 *   SOFTMAX: iattrs axis (0 to rank - 1)
 */
enum {
    NPU_ATTR_STRIDE_H = 0, NPU_ATTR_STRIDE_W = 1, NPU_ATTR_PAD_TOP = 2, NPU_ATTR_PAD_LEFT = 3,
    NPU_ATTR_PAD_BOTTOM = 4, NPU_ATTR_PAD_RIGHT = 5, NPU_ATTR_DILATION_H = 6, NPU_ATTR_DILATION_W = 7,
    NPU_ATTR_GROUPS = 8
};
#define NPU_MAX_IATTRS 16
#define NPU_MAX_FATTRS 4

typedef struct npu_node_desc {
    int32_t op;                 /* NPU_OP_* */
    int32_t num_inputs;
    int32_t num_outputs;
    int32_t reserved;
    int32_t inputs[NPU_MAX_NODE_IO];   /* tensor ids; only the first num_inputs are read */
    int32_t outputs[NPU_MAX_NODE_IO];
    int64_t iattrs[NPU_MAX_IATTRS];
    double fattrs[NPU_MAX_FATTRS];
} npu_node_desc;

typedef struct npu_device_properties {
    char name[64];
    uint64_t memory_bytes;
    uint32_t compute_dtypes;     /* NPU_DTYPE_BIT of each dtype the device computes in */
    uint32_t max_rank;
    double peak_tops_int8;       /* 1e12 operations per second; a multiply-add counts two */
    double peak_tflops_fp16;
    double memory_bandwidth_gbs; /* 1e9 bytes per second */
    double host_link_gbs;
    double launch_latency_us;    /* fixed cost of one execution */
    double host_link_latency_us; /* fixed cost of one host transfer */
} npu_device_properties;

typedef struct npu_graph_info {
    int32_t num_inputs;
    int32_t num_outputs;
    int32_t num_nodes;
    int32_t num_tensors;
    uint64_t internal_bytes;     /* device memory the compiled graph holds for internal tensors */
    double ops;                  /* arithmetic operations per execution */
    double bytes;                /* bytes read and written per execution */
    uint64_t estimated_ns;       /* simulated time per execution */
} npu_graph_info;

typedef struct npu_device_stats {
    uint64_t executions;         /* executions attempted */
    uint64_t failed_executions;
    uint64_t simulated_ns;       /* sum of simulated execution times */
    uint64_t allocated_bytes;    /* device memory in use */
    uint64_t live_buffers;
} npu_device_stats;

enum { NPU_STRUCT_TENSOR_DESC = 1, NPU_STRUCT_NODE_DESC = 2, NPU_STRUCT_DEVICE_PROPERTIES = 3,
       NPU_STRUCT_GRAPH_INFO = 4, NPU_STRUCT_DEVICE_STATS = 5, NPU_STRUCT_QUANT_PARAMS = 6 };

enum { NPU_FAULT_FAIL_EXECUTION = 1, NPU_FAULT_DEVICE_LOST = 2, NPU_FAULT_OUT_OF_MEMORY = 3 };

enum { NPU_OPTION_SLEEP_TO_SIMULATED_TIME = 1 };

typedef struct npu_device npu_device;
typedef struct npu_buffer npu_buffer;
typedef struct npu_stream npu_stream;
typedef struct npu_graph npu_graph;
typedef struct npu_event npu_event;

/**
 * Completion of stream work: status is NPU_SUCCESS or the error, detail a message for errors
 * (valid during the call only; NULL on success), simulated_ns the simulated time of an execution
 * (0 for other work). Runs on the stream's worker thread.
 */
typedef void (*npu_callback)(void *user_data, npu_status status, uint64_t simulated_ns, const char *detail);

/* ---------------------------------------------------------------- library */

/** ACCELNPU_VERSION of the library that is loaded. */
NPU_API uint32_t npu_get_version(void);
/** The status code's name ("NPU_ERROR_DEVICE_LOST"); "NPU_STATUS_UNKNOWN" for other values. */
NPU_API const char *npu_status_name(npu_status status);
/** A one-line description of the status code. */
NPU_API const char *npu_status_message(npu_status status);
/** What the last failing call on this thread failed on, with the values involved; "" if none. */
NPU_API const char *npu_get_last_error_detail(void);
/** Live objects the library holds: device contexts, buffers, streams, graphs, events, staging blocks. */
NPU_API uint64_t npu_get_allocation_count(void);
/** Calls made to the functions of this header other than the four above and this one. */
NPU_API uint64_t npu_get_api_call_count(void);
/** sizeof of a public struct (NPU_STRUCT_*), for bindings to check their layouts; 0 if unknown. */
NPU_API uint64_t npu_struct_size(int32_t which);

/* ---------------------------------------------------------------- devices */

NPU_API npu_status npu_get_device_count(int32_t *count);
NPU_API npu_status npu_get_device_properties(int32_t index, npu_device_properties *props);
NPU_API npu_status npu_device_open(int32_t index, npu_device **device);
/** Destroys every stream (after its queued work), graph and buffer of the device, then the device. */
NPU_API npu_status npu_device_close(npu_device *device);
NPU_API npu_status npu_device_get_memory_info(npu_device *device, uint64_t *free_bytes, uint64_t *total_bytes);
NPU_API npu_status npu_device_get_stats(npu_device *device, npu_device_stats *stats);
NPU_API npu_status npu_device_set_option(npu_device *device, int32_t option, int64_t value);
/**
 * Arms a fault, counted from now: NPU_FAULT_FAIL_EXECUTION n >= 1, the nth execution fails;
 * NPU_FAULT_DEVICE_LOST n >= 0, the device is lost at the nth execution (0: at once);
 * NPU_FAULT_OUT_OF_MEMORY n >= 1, the nth allocation fails.
 */
NPU_API npu_status npu_device_inject_fault(npu_device *device, int32_t fault, int64_t n);

/* ---------------------------------------------------------------- memory */

NPU_API npu_status npu_malloc(npu_device *device, uint64_t bytes, npu_buffer **buffer);
/** Frees a buffer; memory still used by queued work is released when that work completes. */
NPU_API npu_status npu_free(npu_buffer *buffer);
NPU_API npu_status npu_buffer_size(const npu_buffer *buffer, uint64_t *bytes);
/**
 * Since 1.1. The host address of a buffer's bytes, for devices that keep their memory in host
 * memory (the simulator always does): *host_pointer receives it, and the host may then read and
 * write the buffer's npu_buffer_size() bytes through it directly, with no map, unmap or flush
 * call, under the same ordering as the synchronous npu_memcpy_* calls:
 * - only while no queued work that reads or writes the buffer is pending: after that work's
 *   callback has run, or its stream was synchronized;
 * - host writes must be finished before work that uses the buffer is queued (queueing orders
 *   them before that work, as npu_memcpy_h2d does).
 * The address is the same on every call and stays valid until npu_free of the buffer (or
 * npu_device_close of its device); after a device was lost it still addresses the memory, whose
 * contents are then what the last completed work left. A zero-byte buffer gives a non-NULL
 * address that must not be dereferenced.
 * Returns NPU_ERROR_UNSUPPORTED (and NULL) on a device whose memory the host cannot address;
 * bindings then use the copy calls.
 */
NPU_API npu_status npu_buffer_host_pointer(npu_buffer *buffer, void **host_pointer);
NPU_API npu_status npu_memcpy_h2d(npu_buffer *dst, uint64_t dst_offset, const void *src, uint64_t bytes);
NPU_API npu_status npu_memcpy_d2h(void *dst, npu_buffer *src, uint64_t src_offset, uint64_t bytes);
NPU_API npu_status npu_memcpy_d2d(npu_buffer *dst, uint64_t dst_offset, npu_buffer *src, uint64_t src_offset,
                                  uint64_t bytes);

/* ---------------------------------------------------------------- streams and events */

NPU_API npu_status npu_stream_create(npu_device *device, npu_stream **stream);
/** Waits for the stream's queued work, then destroys it. */
NPU_API npu_status npu_stream_destroy(npu_stream *stream);
/** Waits for the stream's queued work; returns the stream's first error, if any. */
NPU_API npu_status npu_stream_synchronize(npu_stream *stream);
/*
 * Asynchronous copies. Each takes an optional callback (NULL for none) that runs when the copy
 * has completed or failed, so that a binding learns of one piece of work in one call.
 */
/** Copies the host bytes at the call (pageable-memory semantics); the device write happens in stream order. */
NPU_API npu_status npu_memcpy_h2d_async(npu_stream *stream, npu_buffer *dst, uint64_t dst_offset, const void *src,
                                        uint64_t bytes, npu_callback callback, void *user_data);
/** Writes dst in stream order: it must stay valid until the callback ran (or the stream was synchronized). */
NPU_API npu_status npu_memcpy_d2h_async(npu_stream *stream, void *dst, npu_buffer *src, uint64_t src_offset,
                                        uint64_t bytes, npu_callback callback, void *user_data);
NPU_API npu_status npu_memcpy_d2d_async(npu_stream *stream, npu_buffer *dst, uint64_t dst_offset, npu_buffer *src,
                                        uint64_t src_offset, uint64_t bytes, npu_callback callback, void *user_data);
/** Calls callback once all work queued before it has run, with the stream's status. */
NPU_API npu_status npu_stream_add_callback(npu_stream *stream, npu_callback callback, void *user_data);

/** A host-signalled event, for ordering a stream after work elsewhere. */
NPU_API npu_status npu_event_create(npu_event **event);
/**
 * Signals the event, once, and gives up the caller's handle: the event must not be used after this
 * call (streams waiting on it keep it alive until they have woken). A non-success status fails the
 * streams waiting on it with NPU_ERROR_DEPENDENCY_FAILED.
 */
NPU_API npu_status npu_event_signal(npu_event *event, npu_status status);
/** Gives up the handle of an event that will never be signalled; waiting streams are not woken. */
NPU_API npu_status npu_event_destroy(npu_event *event);
/** Work queued after this call waits until the event is signalled. */
NPU_API npu_status npu_stream_wait_event(npu_stream *stream, npu_event *event);

/* ---------------------------------------------------------------- graphs */

NPU_API npu_status npu_graph_create(npu_device *device, npu_graph **graph);
NPU_API npu_status npu_graph_add_tensor(npu_graph *graph, const npu_tensor_desc *desc, int32_t *tensor_id);
NPU_API npu_status npu_graph_add_node(npu_graph *graph, const npu_node_desc *node);
/** Checks shapes and dtypes, folds static quantization, plans internal memory, estimates time. */
NPU_API npu_status npu_graph_compile(npu_graph *graph);
NPU_API npu_status npu_graph_get_info(const npu_graph *graph, npu_graph_info *info);
/** Destroys the graph; an execution still queued keeps it alive until it has run. */
NPU_API npu_status npu_graph_destroy(npu_graph *graph);
/** Runs a compiled graph now, on the calling thread. */
NPU_API npu_status npu_graph_execute(npu_graph *graph, npu_buffer *const *inputs, int32_t num_inputs,
                                     npu_buffer *const *outputs, int32_t num_outputs, uint64_t *simulated_ns);
/**
 * Queues an execution on a stream; callback (may be NULL) runs when it completes, with the
 * execution's status and simulated time. The buffer arrays are copied at the call.
 */
NPU_API npu_status npu_graph_execute_async(npu_stream *stream, npu_graph *graph, npu_buffer *const *inputs,
                                           int32_t num_inputs, npu_buffer *const *outputs, int32_t num_outputs,
                                           npu_callback callback, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* ACCELNPU_H */
