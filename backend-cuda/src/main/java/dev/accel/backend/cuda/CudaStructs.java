package dev.accel.backend.cuda;

import java.util.List;

/**
 * The argument structs of every kernel, field for field as the {@code .cu} sources declare them
 * (CudaStructLayoutTest parses the sources and compares; nvcc checks each size through
 * {@code ACCEL_STRUCT_SIZE}). Change a struct in both places at once.
 */
final class CudaStructs {
/** {@code AttentionArgs} of attention.cu. */
    static final CudaStruct ATTENTION = CudaStruct.of("AttentionArgs", "ptr q", "ptr k", "ptr v", "ptr mask", "ptr y",
            "ptr scores", "i32 B", "i32 H", "i32 Sq", "i32 Sk", "i32 D", "i32 Dv", "f32 scale", "i32 causal",
            "i32 maskKind", "i32 pad0", "i64 ms[4]");

    /** {@code UnaryArgs} of elementwise.cu. */
    static final CudaStruct UNARY = CudaStruct.of("UnaryArgs", "ptr x", "ptr y", "i64 n", "i32 kind", "f32 alpha",
            "f32 beta", "i32 pad0");

    /** {@code BinaryArgs} of elementwise.cu. */
    static final CudaStruct BINARY = CudaStruct.of("BinaryArgs", "ptr a", "ptr b", "ptr y", "i64 n", "i32 rank",
            "i32 kind", "i32 contiguous", "i32 pad0", "i64 dims[8]", "i64 sa[8]", "i64 sb[8]");

    /** {@code AccumulateArgs} of elementwise.cu. */
    static final CudaStruct ACCUMULATE = CudaStruct.of("AccumulateArgs", "ptr x", "ptr acc", "i64 n", "i32 rank",
            "i32 first", "i64 dims[8]", "i64 sx[8]");

    /** {@code CastArgs} of elementwise.cu. */
    static final CudaStruct CAST = CudaStruct.of("CastArgs", "ptr x", "ptr y", "i64 n", "i32 from", "i32 to");

    /** {@code QuantizeArgs} of elementwise.cu. */
    static final CudaStruct QUANTIZE = CudaStruct.of("QuantizeArgs", "ptr x", "ptr scale", "ptr zp", "ptr y", "i64 n",
            "i64 inner", "i64 channels", "i32 scaleStep", "i32 zpStep", "i32 zpType", "i32 outType");

    /** {@code DequantizeArgs} of elementwise.cu. */
    static final CudaStruct DEQUANTIZE = CudaStruct.of("DequantizeArgs", "ptr x", "ptr scale", "ptr zp", "ptr y",
            "i64 n", "i64 inner", "i64 channels", "i32 scaleStep", "i32 zpStep", "i32 xType", "i32 hasZp");

    /** {@code BatchNormArgs} of elementwise.cu. */
    static final CudaStruct BATCH_NORM = CudaStruct.of("BatchNormArgs", "ptr x", "ptr scale", "ptr bias", "ptr mean",
            "ptr var", "ptr y", "i64 n", "i64 inner", "i64 channels", "f32 epsilon", "i32 pad0");

    /** {@code LrnArgs} of elementwise.cu. */
    static final CudaStruct LRN = CudaStruct.of("LrnArgs", "ptr x", "ptr y", "i64 n", "i64 channels", "i64 plane",
            "i32 size", "f32 alpha", "f32 beta", "f32 bias");

    /** {@code GemmArgs} of gemm.cuh. */
    static final CudaStruct GEMM = CudaStruct.of("GemmArgs", "ptr a", "ptr b", "ptr c", "ptr bias", "ptr y", "i64 sam",
            "i64 sak", "i64 sbk", "i64 sbn", "i64 scm", "i64 scn", "i64 sym", "i64 batch", "i32 M", "i32 N", "i32 K",
            "i32 batchRank", "f32 alpha", "f32 beta", "i32 hasC", "i32 hasBias", "i32 vecA", "i32 vecB", "i32 conv",
            "i32 pad0", "i64 bdims[6]", "i64 bsa[6]", "i64 bsb[6]", "i64 bsc[6]", "i64 bsy[6]", "i32 cC", "i32 cH",
            "i32 cW", "i32 cKH", "i32 cKW", "i32 cSH", "i32 cSW", "i32 cPT", "i32 cPL", "i32 cDH", "i32 cDW", "i32 cOH",
            "i32 cOW", "i32 cCg", "i32 cMg", "i32 cM");

    /** {@code IgemmArgs} of igemm.cu. */
    static final CudaStruct IGEMM = CudaStruct.of("IgemmArgs", "ptr a", "ptr b", "ptr za", "ptr zb", "ptr sa", "ptr sb",
            "ptr sy", "ptr zy", "ptr bias", "ptr y", "i64 sam", "i64 sak", "i64 sbk", "i64 sbn", "i64 sym", "i64 batch",
            "i32 M", "i32 N", "i32 K", "i32 batchRank", "i32 hasZa", "i32 hasZb", "i32 zaPerRow", "i32 zbPerCol",
            "i32 saPerRow", "i32 sbPerCol", "i32 requant", "i32 outType", "i32 hasBias", "i32 conv", "i64 bdims[6]",
            "i64 bsa[6]", "i64 bsb[6]", "i64 bsy[6]", "i32 cC", "i32 cH", "i32 cW", "i32 cKH", "i32 cKW", "i32 cSH",
            "i32 cSW", "i32 cPT", "i32 cPL", "i32 cDH", "i32 cDW", "i32 cOH", "i32 cOW", "i32 cCg", "i32 cMg",
            "i32 cM");

    /** {@code CopyArgs} of layout.cu. */
    static final CudaStruct COPY = CudaStruct.of("CopyArgs", "ptr src", "ptr dst", "i64 n", "i64 srcOff", "i64 dstOff",
            "i32 rank", "i32 pad0", "i64 dims[8]", "i64 ss[8]", "i64 ds[8]");

    /** {@code PadArgs} of layout.cu. */
    static final CudaStruct PAD = CudaStruct.of("PadArgs", "ptr src", "ptr dst", "i64 n", "i64 value", "i32 rank",
            "i32 mode", "i64 outDims[8]", "i64 inDims[8]", "i64 inStrides[8]", "i64 begin[8]");

    /** {@code SoftmaxArgs} of reduce.cu. */
    static final CudaStruct SOFTMAX = CudaStruct.of("SoftmaxArgs", "ptr x", "ptr y", "i64 outer", "i64 len",
            "i64 inner");

    /** {@code LayerNormArgs} of reduce.cu. */
    static final CudaStruct LAYER_NORM = CudaStruct.of("LayerNormArgs", "ptr x", "ptr scale", "ptr bias", "ptr y",
            "i64 rows", "i64 cols", "i32 hasBias", "i32 scaleDense", "i32 biasDense", "i32 rank", "f32 epsilon",
            "i32 pad0", "i64 dims[8]", "i64 scaleStrides[8]", "i64 biasStrides[8]");

    /** {@code ReduceArgs} of reduce.cu. */
    static final CudaStruct REDUCE = CudaStruct.of("ReduceArgs", "ptr x", "ptr y", "i64 nOut", "i64 nRed",
            "i32 outRank", "i32 redRank", "i64 outDims[8]", "i64 outStrides[8]", "i64 redDims[8]", "i64 redStrides[8]");

    /** {@code PoolArgs} of reduce.cu. */
    static final CudaStruct POOL = CudaStruct.of("PoolArgs", "ptr x", "ptr y", "i64 n", "i32 H", "i32 W", "i32 OH",
            "i32 OW", "i32 kH", "i32 kW", "i32 sH", "i32 sW", "i32 pT", "i32 pL", "i32 pB", "i32 pR", "i32 dH",
            "i32 dW", "i32 kind", "i32 countIncludePad");

    /** {@code ConvArgs} of sgemm.cu. */
    static final CudaStruct CONV = CudaStruct.of("ConvArgs", "ptr x", "ptr w", "ptr bias", "ptr y", "i64 n", "i32 C",
            "i32 H", "i32 W", "i32 M", "i32 KH", "i32 KW", "i32 SH", "i32 SW", "i32 PT", "i32 PL", "i32 DH", "i32 DW",
            "i32 OH", "i32 OW", "i32 Cg", "i32 Mg", "i32 hasBias", "i32 pad0");

    /** Every struct above. */
    static final List<CudaStruct> ALL = List.of(ATTENTION, UNARY, BINARY, ACCUMULATE, CAST, QUANTIZE, DEQUANTIZE,
            BATCH_NORM, LRN, GEMM, IGEMM, COPY, PAD, SOFTMAX, LAYER_NORM, REDUCE, POOL, CONV);

    private CudaStructs() {
    }
}
