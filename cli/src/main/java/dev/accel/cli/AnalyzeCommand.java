package dev.accel.cli;

import dev.accel.onnx.ModelAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code accel analyze MODEL.onnx}: per-layer parameters, FLOPs, MACs, memory access and totals. */
final class AnalyzeCommand implements Command {
    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "per-layer parameters, FLOPs, MACs and memory access of an ONNX model, with totals";
    }

    @Override
    public String help() {
        return """
                usage: accel analyze MODEL.onnx [--bind NAME=SIZE,...]

                Reads an ONNX model, folds constants and BatchNorm, fuses bias and activations (as
                the plan will run it), and prints one row per layer (parameters, FLOPs, MACs, bytes
                read and written, arithmetic intensity) and the totals, with the shares of
                convolution and fully connected layers in parameters and FLOPs.

                options:
                  --bind NAME=SIZE,...   sizes for symbolic dimensions (default: each 1)
                  --help                 this text
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).positionals("MODEL.onnx").option("bind", "NAME=SIZE,...").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        if (p.positionals().size() != 1) {
            throw new UsageException("expects exactly one model file, got " + p.positionals().size() + ": " + p.positionals());
        }
        Path model = Path.of(p.positionals().getFirst());
        if (!Files.isRegularFile(model)) {
            throw new UsageException("model file '" + model + "' does not exist or is not a file");
        }
        io.out().print(ModelAnalyzer.report(model, bindings(p.value("bind", ""))));
        return Main.OK;
    }

    /** Parses {@code batch=8,seq=128}. */
    static Map<String, Integer> bindings(String text) {
        Map<String, Integer> b = new LinkedHashMap<>();
        if (text.isBlank()) {
            return b;
        }
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--bind entry '" + part + "' is not NAME=SIZE");
            }
            try {
                int v = Integer.parseInt(part.substring(eq + 1).trim());
                if (v < 0) {
                    throw new NumberFormatException("negative");
                }
                b.put(part.substring(0, eq).trim(), v);
            } catch (NumberFormatException e) {
                throw new UsageException("--bind entry '" + part + "' needs a size >= 0 after '='");
            }
        }
        return b;
    }
}
