package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Passes;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded-mutation fuzzing of the reader for a bounded time: corpus models and a hand-made one are
 * mutated (bit flips, overwritten and inserted bytes, truncations, duplicated spans, huge varints)
 * and read; each must import or fail with {@link ModelFormatException}. Models that import are
 * also resolved, where {@link InvalidArgumentException} (a graph that does not fit its ops) is the
 * only other typed error allowed. Anything else escaping (an OutOfMemoryError, an index error) is a
 * bug, reported with the seed and iteration that reproduce it.
 */
class OnnxFuzzTest {
    /** Seconds of fuzzing; {@code -Daccel.fuzz.seconds} runs longer. */
    private static final long BUDGET_NANOS = Long.getLong("accel.fuzz.seconds", 3) * 1_000_000_000L;
    /** The seed; {@code -Daccel.fuzz.seed} explores elsewhere, and reproduces a reported failure. */
    private static final long SEED = Long.getLong("accel.fuzz.seed", 20251122L);

    private static List<byte[]> seeds() throws Exception {
        List<byte[]> s = new ArrayList<>();
        Path root = Corpus.root();
        for (String t : List.of("node/test_conv_with_strides_padding", "node/test_slice", "node/test_reshape_zero_dim",
                "pytorch-converted/test_PixelShuffle", "node/test_attention_4d", "node/test_qlinearmatmul_2D_uint8_float32")) {
            Path p = root.resolve(t).resolve("model.onnx");
            if (Files.isRegularFile(p)) {
                s.add(Files.readAllBytes(p));
            }
        }
        Path light = root.resolve("light/light_squeezenet.onnx");
        if (Files.isRegularFile(light)) {
            s.add(Files.readAllBytes(light));
        }
        s.add(Protos.model(13, dev.accel.onnx.proto.Onnx.GraphProto.newBuilder().addInput(Protos.f32("x", "N", 3, 8, 8))
                .addInitializer(Protos.floats("w", new long[] {2, 3, 1, 1}, 1, 2, 3, 4, 5, 6))
                .addInitializer(Protos.longs("shape", 0, -1))
                .addNode(Protos.node("Conv", "c", Protos.of("x", "w"), Protos.of("y")))
                .addNode(Protos.node("Reshape", "r", Protos.of("y", "shape"), Protos.of("z")))
                .addOutput(Protos.f32("z"))).toByteArray());
        return s;
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // A hang guard, not a performance bound: the loop stops itself after a few seconds.
    void mutatedModelsOnlyEverGiveTypedErrors() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom rnd = new SplittableRandom(SEED);
        long end = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        int imported = 0;
        while (System.nanoTime() < end) {
            byte[] base = seeds.get(rnd.nextInt(seeds.size()));
            byte[] m = mutate(base, rnd);
            try {
                OnnxModel model = OnnxReader.read(m, null, "fuzz");
                imported++;
                try {
                    Passes.resolve(model.graph(), Map.of());
                } catch (InvalidArgumentException e) {
                    // A graph whose shapes do not fit its ops: a typed error.
                }
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "an error message names the problem");
            } catch (Throwable t) {
                throw new AssertionError("iteration " + runs + " (seed " + SEED + ") escaped with " + t, t);
            }
            runs++;
        }
        int total = runs;
        int ok = imported;
        System.getLogger(OnnxFuzzTest.class.getName()).log(System.Logger.Level.INFO,
                () -> "fuzz: " + total + " mutated models, " + ok + " still imported");
        assertTrue(runs > 50, "the fuzz loop ran " + runs + " times");
    }

    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    byte[] ins = new byte[1 + r.nextInt(8)];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = (byte) r.nextInt(256);
                    }
                    b = splice(b, at, ins);
                }
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + r.nextInt(64));
                    b = splice(b, at, java.util.Arrays.copyOfRange(b, at, at + len));
                }
                default -> {
                    // A maximal varint: a length or dimension of about 2^63.
                    byte[] v = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
                    b = splice(b, at, v);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] ins) {
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }
}
