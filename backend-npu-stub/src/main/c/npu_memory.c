/*
 * npu_memory.c: device memory: allocation against the device's capacity (and injected
 * out-of-memory faults), reference-counted release, and synchronous copies.
 */
#include "npu_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- memory */

npu_status npu_malloc(npu_device *d, uint64_t bytes, npu_buffer **buffer) {
    npu_api_enter();
    if (!npu_device_valid(d)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_malloc: not a device handle");
    }
    if (buffer == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_malloc: buffer is NULL");
    }
    *buffer = NULL;
    if (atomic_load(&d->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "npu_malloc of %" PRIu64 " bytes: device %d was lost", bytes,
                        (int)d->index);
    }
    pthread_mutex_lock(&d->lock);
    d->allocations++;
    if (d->oom_at_allocation != 0 && d->allocations == d->oom_at_allocation) {
        d->oom_at_allocation = 0;
        uint64_t n = d->allocations;
        pthread_mutex_unlock(&d->lock);
        return npu_fail(NPU_ERROR_OUT_OF_MEMORY, "injected fault: allocation #%" PRIu64 " of %" PRIu64
                        " bytes failed", n, bytes);
    }
    uint64_t free_bytes = d->props.memory_bytes - d->used_bytes;
    if (bytes > free_bytes) {
        uint64_t total = d->props.memory_bytes;
        pthread_mutex_unlock(&d->lock);
        return npu_fail(NPU_ERROR_OUT_OF_MEMORY, "requested %" PRIu64 " bytes, %" PRIu64 " of %" PRIu64
                        " bytes free", bytes, free_bytes, total);
    }
    d->used_bytes += bytes;
    pthread_mutex_unlock(&d->lock);
    npu_buffer *b = npu_obj_alloc(sizeof *b);
    unsigned char *data = b == NULL ? NULL : malloc(bytes == 0 ? 1 : (size_t)bytes);
    if (data == NULL) {
        npu_obj_free(b);
        pthread_mutex_lock(&d->lock);
        d->used_bytes -= bytes;
        pthread_mutex_unlock(&d->lock);
        return npu_fail(NPU_ERROR_HOST_OUT_OF_MEMORY, "host memory for a buffer of %" PRIu64 " bytes", bytes);
    }
    b->magic = NPU_MAGIC_BUFFER;
    b->device = d;
    b->data = data;
    b->size = bytes;
    atomic_init(&b->refs, 1);
    atomic_init(&b->handle_released, 0);
    pthread_mutex_lock(&d->lock);
    b->next = d->buffers;
    if (d->buffers != NULL) {
        d->buffers->prev = b;
    }
    d->buffers = b;
    d->live_buffers++;
    pthread_mutex_unlock(&d->lock);
    *buffer = b;
    return NPU_SUCCESS;
}

void npu_buffer_retain(npu_buffer *b) {
    atomic_fetch_add(&b->refs, 1);
}

void npu_buffer_release(npu_buffer *b) {
    if (atomic_fetch_sub(&b->refs, 1) != 1) {
        return;
    }
    npu_device *d = b->device;
    pthread_mutex_lock(&d->lock);
    if (b->prev != NULL) {
        b->prev->next = b->next;
    } else {
        d->buffers = b->next;
    }
    if (b->next != NULL) {
        b->next->prev = b->prev;
    }
    d->used_bytes -= b->size;
    d->live_buffers--;
    pthread_mutex_unlock(&d->lock);
    free(b->data);
    b->magic = 0;
    npu_obj_free(b);
}

npu_status npu_free(npu_buffer *b) {
    npu_api_enter();
    if (b == NULL || b->magic != NPU_MAGIC_BUFFER) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_free: not a buffer handle");
    }
    if (atomic_exchange(&b->handle_released, 1) != 0) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_free: buffer of %" PRIu64 " bytes was already freed", b->size);
    }
    npu_buffer_release(b);
    return NPU_SUCCESS;
}

npu_status npu_buffer_size(const npu_buffer *b, uint64_t *bytes) {
    npu_api_enter();
    if (!npu_buffer_valid(b)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_buffer_size: not a live buffer handle");
    }
    if (bytes == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_buffer_size: bytes is NULL");
    }
    *bytes = b->size;
    return NPU_SUCCESS;
}

npu_status npu_buffer_host_pointer(npu_buffer *b, void **host_pointer) {
    npu_api_enter();
    if (host_pointer == NULL) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_buffer_host_pointer: host_pointer is NULL");
    }
    *host_pointer = NULL;
    if (!npu_buffer_valid(b)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "npu_buffer_host_pointer: not a live buffer handle");
    }
    /* The simulator's device memory is host memory (npu_malloc), so every buffer has an address. */
    *host_pointer = b->data;
    return NPU_SUCCESS;
}

npu_status npu_check_range(const npu_buffer *b, uint64_t offset, uint64_t bytes, const char *what) {
    if (offset > b->size || bytes > b->size - offset) {
        return npu_fail(NPU_ERROR_INVALID_ARGUMENT, "%s: %" PRIu64 " bytes at offset %" PRIu64
                        " do not fit a buffer of %" PRIu64 " bytes", what, bytes, offset, b->size);
    }
    return NPU_SUCCESS;
}

static npu_status check_copy_buffer(const npu_buffer *b, const char *op, const char *what) {
    if (!npu_buffer_valid(b)) {
        return npu_fail(NPU_ERROR_INVALID_HANDLE, "%s: %s is not a live buffer handle", op, what);
    }
    if (atomic_load(&b->device->lost)) {
        return npu_fail(NPU_ERROR_DEVICE_LOST, "%s: device %d was lost", op, (int)b->device->index);
    }
    return NPU_SUCCESS;
}

npu_status npu_memcpy_h2d(npu_buffer *dst, uint64_t dst_offset, const void *src, uint64_t bytes) {
    npu_api_enter();
    npu_status s = check_copy_buffer(dst, "npu_memcpy_h2d", "dst");
    if (s == NPU_SUCCESS) {
        s = npu_check_range(dst, dst_offset, bytes, "npu_memcpy_h2d");
    }
    if (s == NPU_SUCCESS && src == NULL && bytes > 0) {
        s = npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_memcpy_h2d: src is NULL");
    }
    if (s == NPU_SUCCESS && bytes > 0) {
        memcpy(dst->data + dst_offset, src, (size_t)bytes);
    }
    return s;
}

npu_status npu_memcpy_d2h(void *dst, npu_buffer *src, uint64_t src_offset, uint64_t bytes) {
    npu_api_enter();
    npu_status s = check_copy_buffer(src, "npu_memcpy_d2h", "src");
    if (s == NPU_SUCCESS) {
        s = npu_check_range(src, src_offset, bytes, "npu_memcpy_d2h");
    }
    if (s == NPU_SUCCESS && dst == NULL && bytes > 0) {
        s = npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_memcpy_d2h: dst is NULL");
    }
    if (s == NPU_SUCCESS && bytes > 0) {
        memcpy(dst, src->data + src_offset, (size_t)bytes);
    }
    return s;
}

npu_status npu_memcpy_d2d(npu_buffer *dst, uint64_t dst_offset, npu_buffer *src, uint64_t src_offset,
                          uint64_t bytes) {
    npu_api_enter();
    npu_status s = check_copy_buffer(dst, "npu_memcpy_d2d", "dst");
    if (s == NPU_SUCCESS) {
        s = check_copy_buffer(src, "npu_memcpy_d2d", "src");
    }
    if (s == NPU_SUCCESS && dst->device != src->device) {
        s = npu_fail(NPU_ERROR_INVALID_ARGUMENT, "npu_memcpy_d2d: src and dst belong to different devices");
    }
    if (s == NPU_SUCCESS) {
        s = npu_check_range(src, src_offset, bytes, "npu_memcpy_d2d source");
    }
    if (s == NPU_SUCCESS) {
        s = npu_check_range(dst, dst_offset, bytes, "npu_memcpy_d2d destination");
    }
    if (s == NPU_SUCCESS && bytes > 0) {
        memmove(dst->data + dst_offset, src->data + src_offset, (size_t)bytes);
    }
    return s;
}
