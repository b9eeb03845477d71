package dev.accel.onnx;

import dev.accel.graph.GraphOp;
import dev.accel.graph.KernelOp;
import dev.accel.graph.ValueType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Transpose;
import dev.accel.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX Attention (opset 23, 24) onto the op set's scaled dot-product attention: 4-D inputs
 * directly, 3-D inputs ({@code [B, S, heads * D]}) split into heads with Reshape and Transpose.
 * Grouped-query attention (fewer K/V heads than Q heads), a key/value cache (past and present
 * tensors), softcap, the QK product output and padded key lengths are outside the op set.
 */
final class AttentionMapper {
    private AttentionMapper() {
    }

    static void map(Importer c, NodeProto n, Attrs a) {
        List<String> in = n.getInputList();
        List<String> out = n.getOutputList();
        if (Importer.present(in, 4) || Importer.present(in, 5)) {
            throw c.unsupported("a key/value cache (past_key, past_value) is outside the op set");
        }
        if (Importer.present(in, 6)) {
            throw c.unsupported("nonpad_kv_seqlen (padded key lengths) is outside the op set");
        }
        if (c.used(out, 1) || c.used(out, 2)) {
            throw c.unsupported("present_key and present_value outputs are outside the op set");
        }
        if (c.used(out, 3)) {
            throw c.unsupported("the qk_matmul_output output is outside the op set");
        }
        if (a.getFloat("softcap", 0f) != 0f) {
            throw c.unsupported("softcap is outside the op set");
        }
        float scale = a.has("scale") ? a.getFloat("scale", 1f) : Float.NaN;
        Attention op = new Attention(scale, a.getInt("is_causal", 0) != 0);
        ValueType q = c.type(in.get(0));
        ValueType k = c.type(in.get(1));
        if (!q.shape().isKnown() || !k.shape().isKnown()) {
            throw c.unsupported("Attention over inputs of unknown rank");
        }
        int rank = q.shape().rank();
        List<String> args = new ArrayList<>(in.subList(0, Math.min(in.size(), 4)));
        while (!args.isEmpty() && args.get(args.size() - 1).isEmpty()) {
            args.remove(args.size() - 1);
        }
        if (rank == 4) {
            if (!q.shape().dim(1).equals(k.shape().dim(1))) {
                throw c.unsupported("grouped-query attention (" + q.shape().dim(1) + " query heads, " + k.shape().dim(1)
                        + " key/value heads) is outside the op set");
            }
            c.emitTo(out.get(0), op, args.toArray(String[]::new));
            return;
        }
        if (rank != 3) {
            throw c.malformed("Q has rank " + rank + ", requires 3 or 4");
        }
        long qh = a.getInt("q_num_heads", 0);
        long kvh = a.getInt("kv_num_heads", 0);
        if (qh <= 0 || kvh <= 0) {
            throw c.malformed("3-D Attention needs q_num_heads and kv_num_heads");
        }
        if (qh != kvh) {
            throw c.unsupported("grouped-query attention (" + qh + " query heads, " + kvh + " key/value heads) is outside the op set");
        }
        Transpose swap = new Transpose(List.of(0, 2, 1, 3));
        for (int i = 0; i < 3; i++) {
            String r = c.emit1(new GraphOp.Reshape(false), args.get(i), c.longs("heads", 0, 0, qh, -1));
            args.set(i, c.emit1(new KernelOp(swap), r));
        }
        String y = c.emit1(new KernelOp(op), args.toArray(String[]::new));
        String t = c.emit1(new KernelOp(swap), y);
        c.emitTo(out.get(0), new GraphOp.Reshape(false), t, c.longs("merge", 0, 0, -1));
    }
}
