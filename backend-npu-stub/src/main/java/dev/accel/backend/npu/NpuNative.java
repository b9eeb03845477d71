package dev.accel.backend.npu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.accel.hal.AccelException;
import dev.accel.hal.BackendUnavailableException;
import dev.accel.hal.InvalidArgumentException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Every downcall into libaccelnpu, and the one upcall stub it calls back through. Each function of
 * accelnpu.h has one {@code private static final} MethodHandle, resolved once when this class
 * initialises (after {@link NpuLibrary#lookup()} loaded the library). The wrappers turn a failed
 * status into the typed exception of {@link NpuStatus}, with the library's detail for the failing
 * call. Wrappers check that handles are not NULL; what an argument means (sizes, types, owners) is
 * checked by their callers before they get here, so malformed arguments never reach C.
 *
 * <p>Thread safety: all methods may be called from any thread; the library is thread-safe.
 */
final class NpuNative {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = NpuLibrary.lookup();
    /** Trivial calls skip the thread-state transition; heap access lets copies read Java arrays in place. */
    private static final Linker.Option TRIVIAL = Linker.Option.critical(false);
    private static final Linker.Option HEAP = Linker.Option.critical(true);

    private static final MethodHandle GET_VERSION = downcall("npu_get_version", FunctionDescriptor.of(JAVA_INT), TRIVIAL);
    private static final MethodHandle STATUS_NAME = downcall("npu_status_name", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle STATUS_MESSAGE = downcall("npu_status_message",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle LAST_ERROR = downcall("npu_get_last_error_detail", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle ALLOCATION_COUNT = downcall("npu_get_allocation_count",
            FunctionDescriptor.of(JAVA_LONG), TRIVIAL);
    private static final MethodHandle API_CALL_COUNT = downcall("npu_get_api_call_count",
            FunctionDescriptor.of(JAVA_LONG), TRIVIAL);
    private static final MethodHandle STRUCT_SIZE = downcall("npu_struct_size", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle DEVICE_COUNT = downcall("npu_get_device_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_PROPERTIES = downcall("npu_get_device_properties",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_OPEN = downcall("npu_device_open",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_CLOSE = downcall("npu_device_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DEVICE_MEMORY = downcall("npu_device_get_memory_info",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle DEVICE_STATS = downcall("npu_device_get_stats",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle DEVICE_OPTION = downcall("npu_device_set_option",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle INJECT_FAULT = downcall("npu_device_inject_fault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MALLOC = downcall("npu_malloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle FREE = downcall("npu_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle BUFFER_HOST_POINTER = downcall("npu_buffer_host_pointer",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MEMCPY_H2D = downcall("npu_memcpy_h2d",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG), HEAP);
    private static final MethodHandle MEMCPY_D2H = downcall("npu_memcpy_d2h",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG), HEAP);
    private static final MethodHandle STREAM_CREATE = downcall("npu_stream_create",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle STREAM_DESTROY = downcall("npu_stream_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STREAM_SYNC = downcall("npu_stream_synchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle H2D_ASYNC = downcall("npu_memcpy_h2d_async",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS), HEAP);
    private static final MethodHandle D2H_ASYNC = downcall("npu_memcpy_d2h_async",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle D2D_ASYNC = downcall("npu_memcpy_d2d_async",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle ADD_CALLBACK = downcall("npu_stream_add_callback",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle EVENT_CREATE = downcall("npu_event_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle EVENT_SIGNAL = downcall("npu_event_signal",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle EVENT_DESTROY = downcall("npu_event_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle WAIT_EVENT = downcall("npu_stream_wait_event",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GRAPH_CREATE = downcall("npu_graph_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GRAPH_ADD_TENSOR = downcall("npu_graph_add_tensor",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle GRAPH_ADD_NODE = downcall("npu_graph_add_node",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GRAPH_COMPILE = downcall("npu_graph_compile", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GRAPH_INFO = downcall("npu_graph_get_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GRAPH_DESTROY = downcall("npu_graph_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GRAPH_EXECUTE = downcall("npu_graph_execute",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle GRAPH_EXECUTE_ASYNC = downcall("npu_graph_execute_async",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));

    /** The completion callback every asynchronous call passes: routes to {@link NpuCallbacks#onComplete}. */
    static final MemorySegment COMPLETION_STUB = completionStub();

    static {
        checkLayout("npu_tensor_desc", NpuLayouts.STRUCT_TENSOR_DESC, NpuLayouts.TENSOR_DESC.byteSize());
        checkLayout("npu_node_desc", NpuLayouts.STRUCT_NODE_DESC, NpuLayouts.NODE_DESC.byteSize());
        checkLayout("npu_device_properties", NpuLayouts.STRUCT_DEVICE_PROPERTIES, NpuLayouts.DEVICE_PROPERTIES.byteSize());
        checkLayout("npu_graph_info", NpuLayouts.STRUCT_GRAPH_INFO, NpuLayouts.GRAPH_INFO.byteSize());
        checkLayout("npu_device_stats", NpuLayouts.STRUCT_DEVICE_STATS, NpuLayouts.DEVICE_STATS.byteSize());
        checkLayout("npu_quant_params", NpuLayouts.STRUCT_QUANT_PARAMS, NpuLayouts.QUANT_PARAMS.byteSize());
    }

    private NpuNative() {
    }

    /** Forces the class (and the library) to load; see {@link NpuBackend#open()}. */
    static void ensureLoaded() {
        // Class initialisation did the work.
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LIB.find(name).orElseThrow(() -> new BackendUnavailableException("npu backend: "
                + "libaccelnpu lacks " + name + "; fix: use the libaccelnpu built with this jar"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static MemorySegment completionStub() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(NpuCallbacks.class, "onComplete",
                    MethodType.methodType(void.class, MemorySegment.class, int.class, long.class, MemorySegment.class));
            return LINKER.upcallStub(target, FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS),
                    Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("NpuCallbacks.onComplete is missing", e);
        }
    }

    private static void checkLayout(String name, int id, long javaSize) {
        long nativeSize = structSize(id);
        if (nativeSize != javaSize) {
            throw new BackendUnavailableException("npu backend: struct " + name + " is " + nativeSize + " bytes in "
                    + "libaccelnpu, " + javaSize + " in the binding's layout; fix: use the libaccelnpu built with this jar");
        }
    }

    private static AccelException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new AccelException("unexpected checked exception from a downcall: " + t, t);
    }

    /** Throws the typed exception for a failed status, with the library's detail of this thread's last failure. */
    static void check(int status, String context) {
        if (status != NpuStatus.SUCCESS) {
            throw NpuStatus.exception(status, context, lastErrorDetail());
        }
    }

    static MemorySegment handle(MemorySegment h, String what) {
        if (h == null || h.equals(MemorySegment.NULL)) {
            throw new InvalidArgumentException(what + " is a NULL handle");
        }
        return h;
    }

    private static String string(MemorySegment p, long max) {
        return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(max).getString(0);
    }

    // ---------------------------------------------------------------- library

    static int version() {
        try {
            return (int) GET_VERSION.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String statusName(int status) {
        try {
            return string((MemorySegment) STATUS_NAME.invokeExact(status), 64);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String statusMessage(int status) {
        try {
            return string((MemorySegment) STATUS_MESSAGE.invokeExact(status), 256);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String lastErrorDetail() {
        try {
            return string((MemorySegment) LAST_ERROR.invokeExact(), NpuLayouts.DETAIL_LEN);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long allocationCount() {
        try {
            return (long) ALLOCATION_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long apiCallCount() {
        try {
            return (long) API_CALL_COUNT.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long structSize(int id) {
        try {
            return (long) STRUCT_SIZE.invokeExact(id);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- devices

    static int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) DEVICE_COUNT.invokeExact(out), "npu_get_device_count");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void deviceProperties(int index, MemorySegment props) {
        try {
            check((int) DEVICE_PROPERTIES.invokeExact(index, props), "npu_get_device_properties(" + index + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens device {@code index}; the caller owns the returned handle. */
    static MemorySegment deviceOpen(int index) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) DEVICE_OPEN.invokeExact(index, out), "npu_device_open(" + index + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void deviceClose(MemorySegment device) {
        try {
            check((int) DEVICE_CLOSE.invokeExact(handle(device, "device")), "npu_device_close");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {free bytes, total bytes}. */
    static long[] memoryInfo(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            check((int) DEVICE_MEMORY.invokeExact(handle(device, "device"), free, total), "npu_device_get_memory_info");
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void deviceStats(MemorySegment device, MemorySegment stats) {
        try {
            check((int) DEVICE_STATS.invokeExact(handle(device, "device"), stats), "npu_device_get_stats");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setOption(MemorySegment device, int option, long value) {
        try {
            check((int) DEVICE_OPTION.invokeExact(handle(device, "device"), option, value), "npu_device_set_option");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void injectFault(MemorySegment device, int fault, long n) {
        try {
            check((int) INJECT_FAULT.invokeExact(handle(device, "device"), fault, n), "npu_device_inject_fault");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- memory

    /** Allocates device memory; context names the request for the error message. */
    static MemorySegment malloc(MemorySegment device, long bytes, String context) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) MALLOC.invokeExact(handle(device, "device"), bytes, out), context);
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void free(MemorySegment buffer) {
        try {
            check((int) FREE.invokeExact(handle(buffer, "buffer")), "npu_free");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The host address of a buffer's bytes (npu_buffer_host_pointer), or address 0 where the device
     * reports NPU_ERROR_UNSUPPORTED (its memory is not host-addressable). The returned
     * segment has size 0; the caller sizes it and ties it to the buffer's lifetime.
     */
    static MemorySegment bufferHostPointer(MemorySegment buffer) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int status = (int) BUFFER_HOST_POINTER.invokeExact(handle(buffer, "buffer"), out);
            if (status == NpuStatus.UNSUPPORTED) {
                return MemorySegment.NULL;
            }
            check(status, "npu_buffer_host_pointer");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void memcpyH2D(MemorySegment dst, long dstOffset, MemorySegment src, long bytes) {
        try {
            check((int) MEMCPY_H2D.invokeExact(handle(dst, "dst"), dstOffset, src, bytes), "npu_memcpy_h2d");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void memcpyD2H(MemorySegment dst, MemorySegment src, long srcOffset, long bytes) {
        try {
            check((int) MEMCPY_D2H.invokeExact(dst, handle(src, "src"), srcOffset, bytes), "npu_memcpy_d2h");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- streams and events
    // The enqueue calls return the status instead of throwing: the queue decides what a failure means.

    static MemorySegment streamCreate(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) STREAM_CREATE.invokeExact(handle(device, "device"), out), "npu_stream_create");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int streamDestroy(MemorySegment stream) {
        try {
            return (int) STREAM_DESTROY.invokeExact(handle(stream, "stream"));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int streamSynchronize(MemorySegment stream) {
        try {
            return (int) STREAM_SYNC.invokeExact(handle(stream, "stream"));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int h2dAsync(MemorySegment stream, MemorySegment dst, long dstOffset, MemorySegment src, long bytes,
                        long token) {
        try {
            return (int) H2D_ASYNC.invokeExact(handle(stream, "stream"), handle(dst, "dst"), dstOffset, src, bytes,
                    COMPLETION_STUB, MemorySegment.ofAddress(token));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int d2hAsync(MemorySegment stream, MemorySegment dst, MemorySegment src, long srcOffset, long bytes,
                        long token) {
        try {
            return (int) D2H_ASYNC.invokeExact(handle(stream, "stream"), dst, handle(src, "src"), srcOffset, bytes,
                    COMPLETION_STUB, MemorySegment.ofAddress(token));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int d2dAsync(MemorySegment stream, MemorySegment dst, long dstOffset, MemorySegment src, long srcOffset,
                        long bytes, long token) {
        try {
            return (int) D2D_ASYNC.invokeExact(handle(stream, "stream"), handle(dst, "dst"), dstOffset,
                    handle(src, "src"), srcOffset, bytes, COMPLETION_STUB, MemorySegment.ofAddress(token));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int addCallback(MemorySegment stream, long token) {
        try {
            return (int) ADD_CALLBACK.invokeExact(handle(stream, "stream"), COMPLETION_STUB,
                    MemorySegment.ofAddress(token));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment eventCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) EVENT_CREATE.invokeExact(out), "npu_event_create");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void eventSignal(MemorySegment event, int status) {
        try {
            check((int) EVENT_SIGNAL.invokeExact(handle(event, "event"), status), "npu_event_signal");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void eventDestroy(MemorySegment event) {
        try {
            check((int) EVENT_DESTROY.invokeExact(handle(event, "event")), "npu_event_destroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int streamWaitEvent(MemorySegment stream, MemorySegment event) {
        try {
            return (int) WAIT_EVENT.invokeExact(handle(stream, "stream"), handle(event, "event"));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- graphs

    static MemorySegment graphCreate(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) GRAPH_CREATE.invokeExact(handle(device, "device"), out), "npu_graph_create");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int graphAddTensor(MemorySegment graph, MemorySegment desc, String context) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) GRAPH_ADD_TENSOR.invokeExact(handle(graph, "graph"), desc, out), context);
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void graphAddNode(MemorySegment graph, MemorySegment node, String context) {
        try {
            check((int) GRAPH_ADD_NODE.invokeExact(handle(graph, "graph"), node), context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void graphCompile(MemorySegment graph, String context) {
        try {
            check((int) GRAPH_COMPILE.invokeExact(handle(graph, "graph")), context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void graphInfo(MemorySegment graph, MemorySegment info) {
        try {
            check((int) GRAPH_INFO.invokeExact(handle(graph, "graph"), info), "npu_graph_get_info");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void graphDestroy(MemorySegment graph) {
        try {
            check((int) GRAPH_DESTROY.invokeExact(handle(graph, "graph")), "npu_graph_destroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs a graph on the calling thread; returns the simulated nanoseconds. */
    static long graphExecute(MemorySegment graph, MemorySegment inputs, int numInputs, MemorySegment outputs,
                             int numOutputs, String context) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sim = a.allocate(JAVA_LONG);
            check((int) GRAPH_EXECUTE.invokeExact(handle(graph, "graph"), inputs, numInputs, outputs, numOutputs, sim),
                    context);
            return sim.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Queues an execution; token 0 queues it without a callback. Returns the status of the enqueue. */
    static int graphExecuteAsync(MemorySegment stream, MemorySegment graph, MemorySegment inputs, int numInputs,
                                 MemorySegment outputs, int numOutputs, long token) {
        MemorySegment callback = token == 0 ? MemorySegment.NULL : COMPLETION_STUB;
        try {
            return (int) GRAPH_EXECUTE_ASYNC.invokeExact(handle(stream, "stream"), handle(graph, "graph"), inputs,
                    numInputs, outputs, numOutputs, callback, MemorySegment.ofAddress(token));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
