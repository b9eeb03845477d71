/*
 * npu_stream.c: streams (ordered work on a library-owned worker thread), asynchronous copies,
 * executions, callbacks and host-signalled events.
 */
#include "npu_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_H2D, CMD_D2H, CMD_D2D, CMD_EXEC, CMD_CALLBACK, CMD_WAIT };

typedef struct npu_command {
    int kind;
    npu_buffer *dst;
    npu_buffer *src;
    uint64_t dst_offset, src_offset, bytes;
    void *host_dst;
    unsigned char *staging;         /* H2D: the host bytes, copied at the call */
    npu_graph *graph;
    int32_t num_inputs, num_outputs;
    npu_event *event;
    npu_callback callback;
    void *user_data;
    struct npu_command *next;
    npu_buffer *bufs[];             /* EXEC: inputs then outputs */
} npu_command;

struct npu_stream {
    uint32_t magic;
    npu_device *device;
    pthread_mutex_t lock;
    pthread_cond_t work;            /* a command was queued, or stop was asked */
    pthread_cond_t drained;         /* the queue is empty and the worker idle */
    npu_command *head, *tail;
    int running;
    int stop;
    npu_status error;               /* the first error; later commands are skipped */
    char error_detail[NPU_DETAIL_LEN];
    pthread_t worker;
    struct npu_stream *prev, *next;
};

struct npu_event {
    uint32_t magic;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int signalled;
    npu_status status;
    atomic_int refs;
    atomic_int handle_released;
};

/* ---------------------------------------------------------------- events */

static void event_release(npu_event *e) {
    if (atomic_fetch_sub(&e->refs, 1) != 1) {
        return;
    }
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->cond);
    e->magic = 0;
    npu_obj_free(e);
}

static int event_valid(const npu_event *e) {
    return e != NULL && e->magic == NPU_MAGIC_EVENT && atomic_load(&e->handle_released) == 0;
}

npu_status npu_event_create(npu_event **event) {
    npu_api_enter();
    if (event == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_event_create: event is NULL");
    }
    npu_event *e = npu_obj_alloc(sizeof *e);
    if (e == NULL) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_event_create: no host memory");
    }
    e->magic = NPU_MAGIC_EVENT;
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->cond, NULL);
    atomic_init(&e->refs, 1);
    atomic_init(&e->handle_released, 0);
    *event = e;
    return NPU_SUCCESS;
}

npu_status npu_event_signal(npu_event *e, npu_status status) {
    npu_api_enter();
    if (e == NULL || e->magic != NPU_MAGIC_EVENT) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_event_signal: not an event handle");
    }
    if (atomic_exchange(&e->handle_released, 1) != 0) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_event_signal: the event was already signalled or destroyed");
    }
    pthread_mutex_lock(&e->lock);
    e->signalled = 1;
    e->status = status;
    /* Give up the caller's reference while still holding the lock: a stream waiting on the event holds its own
       reference until it has woken, so the last release (and the free) follows the waiter's wake-up. */
    int last = atomic_fetch_sub(&e->refs, 1) == 1;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
    if (last) {
        pthread_mutex_destroy(&e->lock);
        pthread_cond_destroy(&e->cond);
        e->magic = 0;
        npu_obj_free(e);
    }
    return NPU_SUCCESS;
}

npu_status npu_event_destroy(npu_event *e) {
    npu_api_enter();
    if (e == NULL || e->magic != NPU_MAGIC_EVENT) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_event_destroy: not an event handle");
    }
    if (atomic_exchange(&e->handle_released, 1) != 0) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_event_destroy: the event was already destroyed");
    }
    event_release(e);
    return NPU_SUCCESS;
}

/* ---------------------------------------------------------------- the worker */

static void command_free(npu_command *c) {
    if (c->dst != NULL) {
        npu_buffer_release(c->dst);
    }
    if (c->src != NULL) {
        npu_buffer_release(c->src);
    }
    for (int32_t i = 0; i < c->num_inputs + c->num_outputs; i++) {
        npu_buffer_release(c->bufs[i]);
    }
    if (c->graph != NULL) {
        npu_graph_release(c->graph);
    }
    if (c->event != NULL) {
        event_release(c->event);
    }
    npu_obj_free(c->staging);
    npu_obj_free(c);
}

static npu_status run_command(npu_stream *s, npu_command *c, uint64_t *sim, char *detail, size_t len) {
    if (c->kind == CMD_CALLBACK) {
        return NPU_SUCCESS;
    }
    if (atomic_load(&s->device->lost)) {
        snprintf(detail, len, "device %d was lost before this command ran", (int)s->device->index);
        return NPU_ERROR_DEVICE_LOST;
    }
    switch (c->kind) {
    case CMD_H2D:
        if (c->bytes > 0) {
            memcpy(c->dst->data + c->dst_offset, c->staging, (size_t)c->bytes);
        }
        return NPU_SUCCESS;
    case CMD_D2H:
        if (c->bytes > 0) {
            memcpy(c->host_dst, c->src->data + c->src_offset, (size_t)c->bytes);
        }
        return NPU_SUCCESS;
    case CMD_D2D:
        if (c->bytes > 0) {
            memmove(c->dst->data + c->dst_offset, c->src->data + c->src_offset, (size_t)c->bytes);
        }
        return NPU_SUCCESS;
    case CMD_EXEC:
        return npu_graph_run(c->graph, c->bufs, c->bufs + c->num_inputs, sim, detail, len);
    case CMD_WAIT: {
        pthread_mutex_lock(&c->event->lock);
        while (!c->event->signalled) {
            pthread_cond_wait(&c->event->cond, &c->event->lock);
        }
        npu_status st = c->event->status;
        pthread_mutex_unlock(&c->event->lock);
        if (st != NPU_SUCCESS) {
            snprintf(detail, len, "the awaited event was signalled with %s", npu_status_name(st));
            return NPU_ERROR_DEPENDENCY_FAILED;
        }
        return NPU_SUCCESS;
    }
    default:
        snprintf(detail, len, "unknown command kind %d", c->kind);
        return NPU_ERROR_INTERNAL;
    }
}

static void *worker_main(void *arg) {
    npu_stream *s = arg;
    char detail[NPU_DETAIL_LEN];
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (s->head == NULL && !s->stop) {
            pthread_cond_wait(&s->work, &s->lock);
        }
        if (s->head == NULL) {
            break;
        }
        npu_command *c = s->head;
        s->head = c->next;
        if (s->head == NULL) {
            s->tail = NULL;
        }
        s->running = 1;
        npu_status prior = s->error;
        if (prior != NPU_SUCCESS) {
            snprintf(detail, sizeof detail, "not run: an earlier command on this stream failed with %s: %.400s",
                     npu_status_name(prior), s->error_detail);
        }
        pthread_mutex_unlock(&s->lock);

        uint64_t sim = 0;
        npu_status st = prior;
        if (prior == NPU_SUCCESS) {
            detail[0] = '\0';
            st = run_command(s, c, &sim, detail, sizeof detail);
        }
        if (st != NPU_SUCCESS && prior == NPU_SUCCESS) {
            pthread_mutex_lock(&s->lock);
            s->error = st;
            snprintf(s->error_detail, sizeof s->error_detail, "%s", detail);
            pthread_mutex_unlock(&s->lock);
        }
        /* Release the command's references first, so that whoever the callback wakes sees them gone. */
        npu_callback callback = c->callback;
        void *user_data = c->user_data;
        command_free(c);
        if (callback != NULL) {
            callback(user_data, st, sim, st == NPU_SUCCESS ? NULL : detail);
        }

        pthread_mutex_lock(&s->lock);
        s->running = 0;
        if (s->head == NULL) {
            pthread_cond_broadcast(&s->drained);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---------------------------------------------------------------- streams */

static int stream_valid(const npu_stream *s) {
    return s != NULL && s->magic == NPU_MAGIC_STREAM;
}

npu_status npu_stream_create(npu_device *d, npu_stream **stream) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_stream_create: not a device handle");
    }
    if (stream == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_stream_create: stream is NULL");
    }
    *stream = NULL;
    if (atomic_load(&d->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "npu_stream_create: device %d was lost", (int)d->index);
    }
    npu_stream *s = npu_obj_alloc(sizeof *s);
    if (s == NULL) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "npu_stream_create: no host memory");
    }
    s->magic = NPU_MAGIC_STREAM;
    s->device = d;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->drained, NULL);
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->drained);
        npu_obj_free(s);
        return npu_fail(NPU_ERROR_INTERNAL, "npu_stream_create: cannot start the worker thread");
    }
    pthread_mutex_lock(&d->lock);
    s->next = d->streams;
    if (d->streams != NULL) {
        d->streams->prev = s;
    }
    d->streams = s;
    pthread_mutex_unlock(&d->lock);
    *stream = s;
    return NPU_SUCCESS;
}

static void destroy_stream(npu_stream *s) {
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->worker, NULL);
    npu_device *d = s->device;
    pthread_mutex_lock(&d->lock);
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        d->streams = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    pthread_mutex_unlock(&d->lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->drained);
    s->magic = 0;
    npu_obj_free(s);
}

void npu_stream_destroy_all(npu_device *d) {
    for (;;) {
        pthread_mutex_lock(&d->lock);
        npu_stream *s = d->streams;
        pthread_mutex_unlock(&d->lock);
        if (s == NULL) {
            return;
        }
        destroy_stream(s);
    }
}

static npu_status check_not_worker(const npu_stream *s, const char *op) {
    if (pthread_equal(pthread_self(), s->worker)) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: called from a callback of the same stream, which would "
                        "wait for itself", op);
    }
    return NPU_SUCCESS;
}

npu_status npu_stream_destroy(npu_stream *s) {
    npu_api_enter();
    if (!stream_valid(s)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_stream_destroy: not a stream handle");
    }
    npu_status st = check_not_worker(s, "npu_stream_destroy");
    if (st == NPU_SUCCESS) {
        destroy_stream(s);
    }
    return st;
}

npu_status npu_stream_synchronize(npu_stream *s) {
    npu_api_enter();
    if (!stream_valid(s)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_stream_synchronize: not a stream handle");
    }
    npu_status st = check_not_worker(s, "npu_stream_synchronize");
    if (st != NPU_SUCCESS) {
        return st;
    }
    pthread_mutex_lock(&s->lock);
    while (s->head != NULL || s->running) {
        pthread_cond_wait(&s->drained, &s->lock);
    }
    st = s->error;
    if (st != NPU_SUCCESS) {
        npu_fail(st, "%s", s->error_detail);
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* Validates the stream and allocates a command with room for n buffer pointers. */
static npu_status new_command(npu_stream *s, const char *op, int kind, int32_t n, npu_command **out) {
    if (!stream_valid(s)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: not a stream handle", op);
    }
    if (atomic_load(&s->device->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "%s: device %d was lost", op, (int)s->device->index);
    }
    npu_command *c = npu_obj_alloc(sizeof *c + (size_t)n * sizeof(npu_buffer *));
    if (c == NULL) {
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "%s: no host memory for the command", op);
    }
    c->kind = kind;
    *out = c;
    return NPU_SUCCESS;
}

static npu_status enqueue(npu_stream *s, npu_command *c, const char *op) {
    pthread_mutex_lock(&s->lock);
    if (s->stop) {
        pthread_mutex_unlock(&s->lock);
        command_free(c);
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: the stream is being destroyed", op);
    }
    if (s->tail != NULL) {
        s->tail->next = c;
    } else {
        s->head = c;
    }
    s->tail = c;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    return NPU_SUCCESS;
}

static npu_status check_stream_buffer(const npu_stream *s, const npu_buffer *b, uint64_t offset, uint64_t bytes,
                                      const char *op, const char *what) {
    if (!npu_buffer_valid(b)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: %s is not a live buffer handle", op, what);
    }
    if (b->device != s->device) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: %s belongs to another device than the stream", op, what);
    }
    return npu_check_range(b, offset, bytes, op);
}

npu_status npu_memcpy_h2d_async(npu_stream *s, npu_buffer *dst, uint64_t dst_offset, const void *src,
                                uint64_t bytes, npu_callback callback, void *user_data) {
    npu_api_enter();
    const char *op = "npu_memcpy_h2d_async";
    npu_command *c = NULL;
    npu_status st = new_command(s, op, CMD_H2D, 0, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    st = check_stream_buffer(s, dst, dst_offset, bytes, op, "dst");
    if (st == NPU_SUCCESS && src == NULL && bytes > 0) {
        st = npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: src is NULL", op);
    }
    if (st == NPU_SUCCESS && bytes > 0) {
        c->staging = npu_obj_alloc((size_t)bytes);
        if (c->staging == NULL) {
            st = npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "%s: no host memory to stage %" PRIu64 " bytes", op, bytes);
        } else {
            memcpy(c->staging, src, (size_t)bytes);
        }
    }
    if (st != NPU_SUCCESS) {
        command_free(c);
        return st;
    }
    npu_buffer_retain(dst);
    c->dst = dst;
    c->dst_offset = dst_offset;
    c->bytes = bytes;
    c->callback = callback;
    c->user_data = user_data;
    return enqueue(s, c, op);
}

npu_status npu_memcpy_d2h_async(npu_stream *s, void *dst, npu_buffer *src, uint64_t src_offset, uint64_t bytes,
                                npu_callback callback, void *user_data) {
    npu_api_enter();
    const char *op = "npu_memcpy_d2h_async";
    npu_command *c = NULL;
    npu_status st = new_command(s, op, CMD_D2H, 0, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    st = check_stream_buffer(s, src, src_offset, bytes, op, "src");
    if (st == NPU_SUCCESS && dst == NULL && bytes > 0) {
        st = npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: dst is NULL", op);
    }
    if (st != NPU_SUCCESS) {
        command_free(c);
        return st;
    }
    npu_buffer_retain(src);
    c->src = src;
    c->src_offset = src_offset;
    c->host_dst = dst;
    c->bytes = bytes;
    c->callback = callback;
    c->user_data = user_data;
    return enqueue(s, c, op);
}

npu_status npu_memcpy_d2d_async(npu_stream *s, npu_buffer *dst, uint64_t dst_offset, npu_buffer *src,
                                uint64_t src_offset, uint64_t bytes, npu_callback callback, void *user_data) {
    npu_api_enter();
    const char *op = "npu_memcpy_d2d_async";
    npu_command *c = NULL;
    npu_status st = new_command(s, op, CMD_D2D, 0, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    st = check_stream_buffer(s, dst, dst_offset, bytes, op, "dst");
    if (st == NPU_SUCCESS) {
        st = check_stream_buffer(s, src, src_offset, bytes, op, "src");
    }
    if (st != NPU_SUCCESS) {
        command_free(c);
        return st;
    }
    npu_buffer_retain(dst);
    npu_buffer_retain(src);
    c->dst = dst;
    c->src = src;
    c->dst_offset = dst_offset;
    c->src_offset = src_offset;
    c->bytes = bytes;
    c->callback = callback;
    c->user_data = user_data;
    return enqueue(s, c, op);
}

npu_status npu_stream_add_callback(npu_stream *s, npu_callback callback, void *user_data) {
    npu_api_enter();
    const char *op = "npu_stream_add_callback";
    if (stream_valid(s) && callback == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: callback is NULL", op);
    }
    npu_command *c = NULL;
    npu_status st = new_command(s, op, CMD_CALLBACK, 0, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    c->callback = callback;
    c->user_data = user_data;
    return enqueue(s, c, op);
}

npu_status npu_stream_wait_event(npu_stream *s, npu_event *e) {
    npu_api_enter();
    const char *op = "npu_stream_wait_event";
    if (stream_valid(s) && !event_valid(e)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: not a live event handle", op);
    }
    npu_command *c = NULL;
    npu_status st = new_command(s, op, CMD_WAIT, 0, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    atomic_fetch_add(&e->refs, 1);
    c->event = e;
    return enqueue(s, c, op);
}

npu_status npu_graph_execute_async(npu_stream *s, npu_graph *g, npu_buffer *const *inputs, int32_t num_inputs,
                                   npu_buffer *const *outputs, int32_t num_outputs, npu_callback callback,
                                   void *user_data) {
    npu_api_enter();
    const char *op = "npu_graph_execute_async";
    npu_status st = npu_graph_check_bindings(g, inputs, num_inputs, outputs, num_outputs, op);
    if (st != NPU_SUCCESS) {
        return st;
    }
    npu_command *c = NULL;
    st = new_command(s, op, CMD_EXEC, num_inputs + num_outputs, &c);
    if (st != NPU_SUCCESS) {
        return st;
    }
    if (g->device != s->device) {
        npu_obj_free(c);
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: the graph belongs to another device than the stream", op);
    }
    for (int32_t i = 0; i < num_inputs + num_outputs; i++) {
        npu_buffer *b = i < num_inputs ? inputs[i] : outputs[i - num_inputs];
        npu_buffer_retain(b);
        c->bufs[i] = b;
    }
    c->num_inputs = num_inputs;
    c->num_outputs = num_outputs;
    npu_graph_retain(g);
    c->graph = g;
    c->callback = callback;
    c->user_data = user_data;
    return enqueue(s, c, op);
}
