package dev.accel.onnx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Where the shared ONNX backend-test corpus lives, relative to the project root. */
final class Corpus {
    private Corpus() {
    }

    /** The corpus root, {@code ../shared/conformance/onnx} from the project root. */
    static Path root() {
        Path cwd = Path.of("").toAbsolutePath();
        // Tests run in the module folder; the project root is its parent.
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("conformance").resolve("onnx");
            if (p.resolve("pom.xml").toFile().exists() && p.resolve("hal-api").toFile().isDirectory()) {
                return c;
            }
        }
        return cwd.getParent().resolveSibling("shared").resolve("conformance").resolve("onnx");
    }

    /** Skips the calling test, saying why, when the corpus is absent. */
    static Path require() {
        Path r = root();
        Assumptions.assumeTrue(Files.isRegularFile(r.resolve("INDEX.txt")),
                "the ONNX backend-test corpus is absent at " + r + " (../shared/conformance/onnx from the project root); "
                        + "these tests need it");
        return r;
    }

    /** The four groups of single-test folders (the light models are whole networks, tested apart). */
    static List<Path> groups(Path root) {
        return List.of(root.resolve("node"), root.resolve("simple"), root.resolve("pytorch-converted"), root.resolve("pytorch-operator"));
    }
}
