package dev.accel.partitioner;

import dev.accel.hal.DType;

/**
 * How a node computes, and, as a policy, how far the partitioner may narrow the source graph's
 * float32: {@link #FP32} keeps every tensor as the graph has it; {@link #FP16} stores and computes
 * the float32 tensors of a node as float16; {@link #INT8} runs a Conv or MatMul as its 8-bit
 * quantized form (QLinearConv, QLinearMatMul) with 32-bit accumulation, given quantization
 * parameters. A policy allows its own precision and every wider one: FP16 allows FP32 and FP16,
 * INT8 allows all three.
 */
public enum Precision {
    FP32("fp32", DType.F32),
    FP16("fp16", DType.F16),
    INT8("int8", DType.I8);

    private final String label;
    private final DType dtype;

    Precision(String label, DType dtype) {
        this.label = label;
        this.dtype = dtype;
    }

    /** The short name used on command lines and in plans: "fp16". */
    public String label() {
        return label;
    }

    /** The dtype float32 tensors take in this precision (int8 for {@link #INT8}, whose zero points may make it uint8). */
    public DType dtype() {
        return dtype;
    }

    /** True when a policy of this precision allows a node to run in {@code p}. */
    public boolean allows(Precision p) {
        return p.ordinal() <= ordinal();
    }

    /**
     * The precision named {@code text} ("fp32", "FP16", "int8", also "f16", "float16").
     *
     * @throws dev.accel.hal.InvalidArgumentException for any other text
     */
    public static Precision parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (t) {
            case "fp32", "f32", "float32" -> FP32;
            case "fp16", "f16", "float16", "half" -> FP16;
            case "int8", "i8", "q8" -> INT8;
            default -> throw new dev.accel.hal.InvalidArgumentException("precision '" + text
                    + "' is not one of fp32, fp16, int8");
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
