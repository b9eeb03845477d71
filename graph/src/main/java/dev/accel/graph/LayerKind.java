package dev.accel.graph;

/** How model-compression tables classify a layer: convolution, fully connected, or anything else. */
public enum LayerKind {
    /** Conv, ConvInteger, QLinearConv. */
    CONV,
    /** Gemm, and MatMul / MatMulInteger / QLinearMatMul with a constant (weight) operand. */
    FULLY_CONNECTED,
    /** Everything else: pooling, normalisation, elementwise, layout, attention. */
    OTHER
}
