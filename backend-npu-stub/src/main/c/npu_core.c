/*
 * npu_core.c: status codes, configuration, the allocation counter, devices and device memory.
 */
#include "npu_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- errors and counters */

static _Thread_local char t_detail[NPU_DETAIL_LEN];
static atomic_uint_fast64_t g_live_objects;
static atomic_uint_fast64_t g_api_calls;

npu_status npu_fail(npu_status status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_detail, sizeof t_detail, fmt, ap);
    va_end(ap);
    return status;
}

void npu_api_enter(void) {
    atomic_fetch_add_explicit(&g_api_calls, 1, memory_order_relaxed);
    t_detail[0] = '\0';
}

void *npu_obj_alloc(size_t bytes) {
    void *p = calloc(1, bytes);
    if (p != NULL) {
        atomic_fetch_add(&g_live_objects, 1);
    }
    return p;
}

void npu_obj_free(void *p) {
    if (p != NULL) {
        free(p);
        atomic_fetch_sub(&g_live_objects, 1);
    }
}

uint64_t npu_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void npu_sleep_ns(uint64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static const char *const STATUS_NAMES[NPU_STATUS_COUNT] = {
    "NPU_SUCCESS", "NPU_ERROR_INVALID_ARGUMENT", "NPU_ERROR_INVALID_HANDLE", "NPU_ERROR_OUT_OF_MEMORY",
    "NPU_ERROR_HOST_OUT_OF_MEMORY", "NPU_ERROR_DEVICE_LOST", "NPU_ERROR_UNSUPPORTED", "NPU_ERROR_NOT_COMPILED",
    "NPU_ERROR_ALREADY_COMPILED", "NPU_ERROR_EXECUTION_FAILED", "NPU_ERROR_DEPENDENCY_FAILED", "NPU_ERROR_INTERNAL"};

static const char *const STATUS_MESSAGES[NPU_STATUS_COUNT] = {
    "success",
    "an argument is invalid",
    "a handle is null, destroyed or of the wrong kind",
    "the device is out of memory",
    "the host is out of memory",
    "the device was lost; destroy its objects and close it",
    "the device cannot run this op or dtype",
    "the graph has not been compiled",
    "the graph is compiled and can no longer change",
    "an execution failed on the device",
    "work this stream waited for failed",
    "internal error in libaccelnpu"};

uint32_t npu_get_version(void) {
    return ACCELNPU_VERSION;
}

const char *npu_status_name(npu_status status) {
    return status >= 0 && status < NPU_STATUS_COUNT ? STATUS_NAMES[status] : "NPU_STATUS_UNKNOWN";
}

const char *npu_status_message(npu_status status) {
    return status >= 0 && status < NPU_STATUS_COUNT ? STATUS_MESSAGES[status] : "unknown status code";
}

const char *npu_get_last_error_detail(void) {
    return t_detail;
}

uint64_t npu_get_allocation_count(void) {
    return atomic_load(&g_live_objects);
}

uint64_t npu_get_api_call_count(void) {
    return atomic_load(&g_api_calls);
}

uint64_t npu_struct_size(int32_t which) {
    switch (which) {
    case NPU_STRUCT_TENSOR_DESC: return sizeof(npu_tensor_desc);
    case NPU_STRUCT_NODE_DESC: return sizeof(npu_node_desc);
    case NPU_STRUCT_DEVICE_PROPERTIES: return sizeof(npu_device_properties);
    case NPU_STRUCT_GRAPH_INFO: return sizeof(npu_graph_info);
    case NPU_STRUCT_DEVICE_STATS: return sizeof(npu_device_stats);
    case NPU_STRUCT_QUANT_PARAMS: return sizeof(npu_quant_params);
    default: return 0;
    }
}

/* ---------------------------------------------------------------- configuration */

typedef struct npu_config {
    uint64_t memory_bytes;
    int32_t device_count;
    int sleep;
    int64_t fail_execution; /* -1: none */
    int64_t device_lost;
    int64_t out_of_memory;
} npu_config;

static int parse_u64(const char *s, uint64_t *out) {
    if (s == NULL || *s == '\0') {
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-') {
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

/* Reads the environment each time a device is opened, so that tests can change it between opens. */
static npu_status read_config(npu_config *c) {
    c->memory_bytes = 1ull << 30;
    c->device_count = 1;
    c->sleep = 0;
    c->fail_execution = -1;
    c->device_lost = -1;
    c->out_of_memory = -1;
    const char *mem = getenv("ACCELNPU_MEMORY_BYTES");
    if (mem != NULL && !parse_u64(mem, &c->memory_bytes)) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "ACCELNPU_MEMORY_BYTES is '%s', requires a byte count", mem);
    }
    const char *count = getenv("ACCELNPU_DEVICE_COUNT");
    if (count != NULL) {
        uint64_t n = 0;
        if (!parse_u64(count, &n) || n < 1 || n > 4) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "ACCELNPU_DEVICE_COUNT is '%s', requires 1 to 4", count);
        }
        c->device_count = (int32_t)n;
    }
    const char *sleep = getenv("ACCELNPU_SLEEP");
    c->sleep = sleep != NULL && strcmp(sleep, "1") == 0;
    const char *faults = getenv("ACCELNPU_FAULTS");
    if (faults == NULL || *faults == '\0') {
        return NPU_SUCCESS;
    }
    char buf[256];
    if (strlen(faults) >= sizeof buf) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "ACCELNPU_FAULTS is longer than %zu characters", sizeof buf - 1);
    }
    strcpy(buf, faults);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        uint64_t n = 0;
        if (eq == NULL || !parse_u64(eq + 1, &n) || n > INT64_MAX) {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT,
                            "ACCELNPU_FAULTS entry '%s' is not name=N (fail_execution, device_lost, out_of_memory)",
                            item);
        }
        *eq = '\0';
        if (strcmp(item, "fail_execution") == 0 && n >= 1) {
            c->fail_execution = (int64_t)n;
        } else if (strcmp(item, "device_lost") == 0) {
            c->device_lost = (int64_t)n;
        } else if (strcmp(item, "out_of_memory") == 0 && n >= 1) {
            c->out_of_memory = (int64_t)n;
        } else {
            return npu_fail(NPU_ERROR_INVALID_ARGUMENT,
                            "ACCELNPU_FAULTS entry '%s=%" PRIu64 "' is unknown or out of range "
                            "(fail_execution=N>=1, device_lost=N>=0, out_of_memory=N>=1)", item, n);
        }
    }
    return NPU_SUCCESS;
}

/* ---------------------------------------------------------------- devices */

static void fill_properties(int32_t index, const npu_config *c, npu_device_properties *p) {
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "AccelNPU-Sim %d.%d #%d (simulated)", ACCELNPU_VERSION_MAJOR,
             ACCELNPU_VERSION_MINOR, (int)index);
    p->memory_bytes = c->memory_bytes;
    p->compute_dtypes = NPU_DTYPE_BIT(NPU_DTYPE_INT8) | NPU_DTYPE_BIT(NPU_DTYPE_UINT8) |
                        NPU_DTYPE_BIT(NPU_DTYPE_FLOAT16);
    p->max_rank = NPU_MAX_RANK;
    p->peak_tops_int8 = 24.0;
    p->peak_tflops_fp16 = 12.0;
    p->memory_bandwidth_gbs = 64.0;
    p->host_link_gbs = 16.0;
    p->launch_latency_us = 30.0;
    p->host_link_latency_us = 8.0;
}

npu_status npu_get_device_count(int32_t *count) {
    npu_api_enter();
    if (count == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_get_device_count: count is NULL");
    }
    npu_config c;
    npu_status s = read_config(&c);
    if (s != NPU_SUCCESS) {
        return s;
    }
    *count = c.device_count;
    return NPU_SUCCESS;
}

npu_status npu_get_device_properties(int32_t index, npu_device_properties *props) {
    npu_api_enter();
    if (props == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_get_device_properties: props is NULL");
    }
    npu_config c;
    npu_status s = read_config(&c);
    if (s != NPU_SUCCESS) {
        return s;
    }
    if (index < 0 || index >= c.device_count) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "device index %d is out of range: %d device(s)", (int)index,
                        (int)c.device_count);
    }
    fill_properties(index, &c, props);
    return NPU_SUCCESS;
}

int npu_device_valid(const npu_device *d) {
    return d != NULL && d->magic == NPU_MAGIC_DEVICE;
}

int npu_buffer_valid(const npu_buffer *b) {
    return b != NULL && b->magic == NPU_MAGIC_BUFFER && atomic_load(&b->handle_released) == 0;
}

npu_status npu_device_open(int32_t index, npu_device **device) {
    npu_api_enter();
    if (device == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_device_open: device is NULL");
    }
    *device = NULL;
    npu_config c;
    npu_status s = read_config(&c);
    if (s != NPU_SUCCESS) {
        return s;
    }
    if (index < 0 || index >= c.device_count) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "device index %d is out of range: %d device(s)", (int)index,
                        (int)c.device_count);
    }
    npu_device *d = npu_obj_alloc(sizeof *d);
    if (d == NULL) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "cannot allocate a device context");
    }
    d->magic = NPU_MAGIC_DEVICE;
    d->index = index;
    pthread_mutex_init(&d->lock, NULL);
    fill_properties(index, &c, &d->props);
    atomic_init(&d->lost, c.device_lost == 0);
    d->sleep_to_simulated = c.sleep;
    d->fail_execution_at = c.fail_execution > 0 ? (uint64_t)c.fail_execution : 0;
    d->lost_at_execution = c.device_lost > 0 ? (uint64_t)c.device_lost : 0;
    d->oom_at_allocation = c.out_of_memory > 0 ? (uint64_t)c.out_of_memory : 0;
    *device = d;
    return NPU_SUCCESS;
}

npu_status npu_device_close(npu_device *d) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_device_close: not a device handle");
    }
    /* Streams first: their workers finish queued work, which may still reference buffers and graphs. */
    npu_stream_destroy_all(d);
    npu_graph_destroy_all(d);
    pthread_mutex_lock(&d->lock);
    npu_buffer *b = d->buffers;
    d->buffers = NULL;
    pthread_mutex_unlock(&d->lock);
    while (b != NULL) {
        npu_buffer *next = b->next;
        free(b->data);
        b->magic = 0;
        npu_obj_free(b);
        b = next;
    }
    pthread_mutex_destroy(&d->lock);
    d->magic = 0;
    npu_obj_free(d);
    return NPU_SUCCESS;
}

npu_status npu_device_get_memory_info(npu_device *d, uint64_t *free_bytes, uint64_t *total_bytes) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_device_get_memory_info: not a device handle");
    }
    if (free_bytes == NULL || total_bytes == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_device_get_memory_info: an output pointer is NULL");
    }
    pthread_mutex_lock(&d->lock);
    *total_bytes = d->props.memory_bytes;
    *free_bytes = d->props.memory_bytes - d->used_bytes;
    pthread_mutex_unlock(&d->lock);
    return NPU_SUCCESS;
}

npu_status npu_device_get_stats(npu_device *d, npu_device_stats *stats) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_device_get_stats: not a device handle");
    }
    if (stats == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_device_get_stats: stats is NULL");
    }
    pthread_mutex_lock(&d->lock);
    stats->executions = d->executions;
    stats->failed_executions = d->failed_executions;
    stats->simulated_ns = d->simulated_ns;
    stats->allocated_bytes = d->used_bytes;
    stats->live_buffers = d->live_buffers;
    pthread_mutex_unlock(&d->lock);
    return NPU_SUCCESS;
}

npu_status npu_device_set_option(npu_device *d, int32_t option, int64_t value) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_device_set_option: not a device handle");
    }
    if (option != NPU_OPTION_SLEEP_TO_SIMULATED_TIME || (value != 0 && value != 1)) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_device_set_option: option %d = %" PRId64
                        " is unknown; NPU_OPTION_SLEEP_TO_SIMULATED_TIME (1) takes 0 or 1", (int)option, value);
    }
    pthread_mutex_lock(&d->lock);
    d->sleep_to_simulated = (int)value;
    pthread_mutex_unlock(&d->lock);
    return NPU_SUCCESS;
}

npu_status npu_device_inject_fault(npu_device *d, int32_t fault, int64_t n) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_device_inject_fault: not a device handle");
    }
    int64_t min = fault == NPU_FAULT_DEVICE_LOST ? 0 : 1;
    if (fault < NPU_FAULT_FAIL_EXECUTION || fault > NPU_FAULT_OUT_OF_MEMORY || n < min) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_device_inject_fault: fault %d with n = %" PRId64
                        " is invalid; faults are 1 (fail execution, n >= 1), 2 (device lost, n >= 0), "
                        "3 (out of memory, n >= 1)", (int)fault, n);
    }
    pthread_mutex_lock(&d->lock);
    switch (fault) {
    case NPU_FAULT_FAIL_EXECUTION: d->fail_execution_at = d->executions + (uint64_t)n; break;
    case NPU_FAULT_DEVICE_LOST:
        if (n == 0) {
            atomic_store(&d->lost, 1);
        } else {
            d->lost_at_execution = d->executions + (uint64_t)n;
        }
        break;
    default: d->oom_at_allocation = d->allocations + (uint64_t)n; break;
    }
    pthread_mutex_unlock(&d->lock);
    return NPU_SUCCESS;
}
