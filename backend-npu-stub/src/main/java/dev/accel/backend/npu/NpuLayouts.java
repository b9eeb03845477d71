package dev.accel.backend.npu;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * The structs of accelnpu.h, written out field by field in the C order, with the byte offset of
 * each field the binding touches. {@link NpuNative} checks each layout's size against the
 * library's {@code npu_struct_size} when it loads, so a header change that the binding missed
 * stops at load time rather than corrupting memory.
 */
final class NpuLayouts {
    static final int MAX_RANK = 8;
    static final int MAX_NODE_IO = 9;
    static final int MAX_IATTRS = 16;
    static final int MAX_FATTRS = 4;
    /** NPU_DETAIL_LEN: the longest message the library writes, terminator included. */
    static final int DETAIL_LEN = 512;

    // npu_dtype
    static final int DTYPE_INT8 = 1;
    static final int DTYPE_UINT8 = 2;
    static final int DTYPE_FLOAT16 = 3;
    static final int DTYPE_INT32 = 4;
    static final int DTYPE_FLOAT32 = 5;

    // roles and quantization kinds
    static final int ROLE_INPUT = 0;
    static final int ROLE_OUTPUT = 1;
    static final int QUANT_NONE = 0;
    static final int QUANT_STATIC = 1;
    static final int QUANT_FROM_TENSORS = 2;

    // ops
    static final int OP_CONV2D = 1;
    static final int OP_MATMUL = 2;
    static final int OP_GEMM = 3;
    static final int OP_ADD = 4;
    static final int OP_MUL = 5;
    static final int OP_RELU = 6;
    static final int OP_CLIP = 7;
    static final int OP_HARD_SWISH = 8;
    static final int OP_POOL2D = 9;
    static final int OP_GLOBAL_AVERAGE_POOL = 10;
    static final int OP_SOFTMAX = 11;
    static final int OP_QUANTIZE = 12;

    /** NPU_OPTION_SLEEP_TO_SIMULATED_TIME of npu_device_set_option. */
    static final int OPTION_SLEEP_TO_SIMULATED_TIME = 1;

    // npu_struct_size ids
    static final int STRUCT_TENSOR_DESC = 1;
    static final int STRUCT_NODE_DESC = 2;
    static final int STRUCT_DEVICE_PROPERTIES = 3;
    static final int STRUCT_GRAPH_INFO = 4;
    static final int STRUCT_DEVICE_STATS = 5;
    static final int STRUCT_QUANT_PARAMS = 6;

    static final StructLayout QUANT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("axis"),
            JAVA_INT.withName("count"),
            JAVA_INT.withName("scale_tensor"),
            JAVA_INT.withName("zero_point_tensor"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("scales"),
            ADDRESS.withName("zero_points")).withName("npu_quant_params");

    static final StructLayout TENSOR_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("dtype"),
            JAVA_INT.withName("rank"),
            MemoryLayout.sequenceLayout(MAX_RANK, JAVA_LONG).withName("dims"),
            JAVA_INT.withName("role"),
            JAVA_INT.withName("reserved"),
            QUANT_PARAMS.withName("quant")).withName("npu_tensor_desc");

    static final StructLayout NODE_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("op"),
            JAVA_INT.withName("num_inputs"),
            JAVA_INT.withName("num_outputs"),
            JAVA_INT.withName("reserved"),
            MemoryLayout.sequenceLayout(MAX_NODE_IO, JAVA_INT).withName("inputs"),
            MemoryLayout.sequenceLayout(MAX_NODE_IO, JAVA_INT).withName("outputs"),
            MemoryLayout.sequenceLayout(MAX_IATTRS, JAVA_LONG).withName("iattrs"),
            MemoryLayout.sequenceLayout(MAX_FATTRS, JAVA_DOUBLE).withName("fattrs")).withName("npu_node_desc");

    static final StructLayout DEVICE_PROPERTIES = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("name"),
            JAVA_LONG.withName("memory_bytes"),
            JAVA_INT.withName("compute_dtypes"),
            JAVA_INT.withName("max_rank"),
            JAVA_DOUBLE.withName("peak_tops_int8"),
            JAVA_DOUBLE.withName("peak_tflops_fp16"),
            JAVA_DOUBLE.withName("memory_bandwidth_gbs"),
            JAVA_DOUBLE.withName("host_link_gbs"),
            JAVA_DOUBLE.withName("launch_latency_us"),
            JAVA_DOUBLE.withName("host_link_latency_us")).withName("npu_device_properties");

    static final StructLayout GRAPH_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("num_inputs"),
            JAVA_INT.withName("num_outputs"),
            JAVA_INT.withName("num_nodes"),
            JAVA_INT.withName("num_tensors"),
            JAVA_LONG.withName("internal_bytes"),
            JAVA_DOUBLE.withName("ops"),
            JAVA_DOUBLE.withName("bytes"),
            JAVA_LONG.withName("estimated_ns")).withName("npu_graph_info");

    static final StructLayout DEVICE_STATS = MemoryLayout.structLayout(
            JAVA_LONG.withName("executions"),
            JAVA_LONG.withName("failed_executions"),
            JAVA_LONG.withName("simulated_ns"),
            JAVA_LONG.withName("allocated_bytes"),
            JAVA_LONG.withName("live_buffers")).withName("npu_device_stats");

    // Offsets of the fields the binding reads or writes.
    static final long TD_DTYPE = TENSOR_DESC.byteOffset(groupElement("dtype"));
    static final long TD_RANK = TENSOR_DESC.byteOffset(groupElement("rank"));
    static final long TD_DIMS = TENSOR_DESC.byteOffset(groupElement("dims"));
    static final long TD_ROLE = TENSOR_DESC.byteOffset(groupElement("role"));
    static final long TD_Q_KIND = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("kind"));
    static final long TD_Q_AXIS = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("axis"));
    static final long TD_Q_SCALE_TENSOR = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("scale_tensor"));
    static final long TD_Q_ZERO_TENSOR = TENSOR_DESC.byteOffset(groupElement("quant"),
            groupElement("zero_point_tensor"));
    static final long TD_Q_COUNT = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("count"));
    static final long TD_Q_SCALES = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("scales"));
    static final long TD_Q_ZERO_POINTS = TENSOR_DESC.byteOffset(groupElement("quant"), groupElement("zero_points"));

    static final long ND_OP = NODE_DESC.byteOffset(groupElement("op"));
    static final long ND_NUM_INPUTS = NODE_DESC.byteOffset(groupElement("num_inputs"));
    static final long ND_NUM_OUTPUTS = NODE_DESC.byteOffset(groupElement("num_outputs"));
    static final long ND_INPUTS = NODE_DESC.byteOffset(groupElement("inputs"));
    static final long ND_OUTPUTS = NODE_DESC.byteOffset(groupElement("outputs"));
    static final long ND_IATTRS = NODE_DESC.byteOffset(groupElement("iattrs"));
    static final long ND_FATTRS = NODE_DESC.byteOffset(groupElement("fattrs"));

    static final long DP_NAME = DEVICE_PROPERTIES.byteOffset(groupElement("name"));
    static final long DP_MEMORY = DEVICE_PROPERTIES.byteOffset(groupElement("memory_bytes"));
    static final long DP_DTYPES = DEVICE_PROPERTIES.byteOffset(groupElement("compute_dtypes"));
    static final long DP_MAX_RANK = DEVICE_PROPERTIES.byteOffset(groupElement("max_rank"));
    static final long DP_TOPS_INT8 = DEVICE_PROPERTIES.byteOffset(groupElement("peak_tops_int8"));
    static final long DP_TFLOPS_FP16 = DEVICE_PROPERTIES.byteOffset(groupElement("peak_tflops_fp16"));
    static final long DP_BANDWIDTH = DEVICE_PROPERTIES.byteOffset(groupElement("memory_bandwidth_gbs"));
    static final long DP_LINK = DEVICE_PROPERTIES.byteOffset(groupElement("host_link_gbs"));
    static final long DP_LAUNCH_US = DEVICE_PROPERTIES.byteOffset(groupElement("launch_latency_us"));
    static final long DP_LINK_US = DEVICE_PROPERTIES.byteOffset(groupElement("host_link_latency_us"));

    static final long GI_NUM_INPUTS = GRAPH_INFO.byteOffset(groupElement("num_inputs"));
    static final long GI_OPS = GRAPH_INFO.byteOffset(groupElement("ops"));
    static final long GI_BYTES = GRAPH_INFO.byteOffset(groupElement("bytes"));
    static final long GI_ESTIMATED_NS = GRAPH_INFO.byteOffset(groupElement("estimated_ns"));

    static final long DS_EXECUTIONS = DEVICE_STATS.byteOffset(groupElement("executions"));
    static final long DS_FAILED = DEVICE_STATS.byteOffset(groupElement("failed_executions"));
    static final long DS_SIMULATED_NS = DEVICE_STATS.byteOffset(groupElement("simulated_ns"));
    static final long DS_ALLOCATED = DEVICE_STATS.byteOffset(groupElement("allocated_bytes"));
    static final long DS_LIVE_BUFFERS = DEVICE_STATS.byteOffset(groupElement("live_buffers"));

    private NpuLayouts() {
    }

    /** Writes an int array into consecutive ints at {@code offset}. */
    static void putInts(MemorySegment s, long offset, int... values) {
        for (int i = 0; i < values.length; i++) {
            s.set(JAVA_INT, offset + 4L * i, values[i]);
        }
    }

    /** Writes a long array into consecutive longs at {@code offset}. */
    static void putLongs(MemorySegment s, long offset, long... values) {
        for (int i = 0; i < values.length; i++) {
            s.set(JAVA_LONG, offset + 8L * i, values[i]);
        }
    }
}
