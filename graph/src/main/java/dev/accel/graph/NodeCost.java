package dev.accel.graph;

/**
 * The static cost of one node, or of a whole graph, as the cost model reads it.
 *
 * @param node the node's name ("total" for sums)
 * @param op the operator's name
 * @param kind the layer class for the conv / fully-connected shares
 * @param output the first output's type, for tables
 * @param params elements of the constant inputs (weights, biases, normalisation parameters);
 *     int64 constants (shapes, axes) are not parameters
 * @param macs multiply-accumulates of the dominant product (0 where there is none)
 * @param flops arithmetic operations: 2 per multiply-accumulate, plus 1 per element for adds,
 *     compares and elementwise functions (a transcendental function counts 1)
 * @param bytesRead bytes of all inputs, weights included (0 for Reshape and Identity, which devices
 *     may run without a copy)
 * @param bytesWritten bytes of all outputs (0 for Reshape and Identity)
 */
public record NodeCost(String node, String op, LayerKind kind, String output, long params, long macs, long flops,
                       long bytesRead, long bytesWritten) {
    /** Bytes read plus written: the memory access cost. */
    public long bytes() {
        return bytesRead + bytesWritten;
    }

    /** FLOPs per byte moved; 0 when nothing moves. */
    public double intensity() {
        long b = bytes();
        return b == 0 ? 0 : (double) flops / b;
    }
}
