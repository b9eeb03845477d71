package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole corpus on {@link RefDevice}. That device runs only layout and simple elementwise ops,
 * exactly (a host evaluator), so every folder must either pass or be not applicable with a reason:
 * a failure here is a bug of the importer, the passes, the executor or the comparison, never of a
 * kernel.
 */
class RefCorpusTest {
    @Test
    void everyFolderPassesOrIsNotApplicableWithAReason() throws Exception {
        Path root = Corpus.require();
        try (RefDevice d = new RefDevice()) {
            OnnxTestReport r = OnnxTestRunner.run(Corpus.groups(root), List.of(d), Map.of());
            Files.createDirectories(Path.of("target"));
            r.writeJson(Path.of("target/onnx-corpus-ref.json"));
            assertEquals(Files.readAllLines(root.resolve("INDEX.txt")).stream().filter(s -> !s.isBlank()).count(), r.results().size(),
                    "one result per folder of INDEX.txt");
            assertEquals(List.of(), r.withOutcome(OnnxTestResult.Outcome.FAILED).stream().map(OnnxTestResult::toString).toList());
            for (OnnxTestResult t : r.withOutcome(OnnxTestResult.Outcome.NOT_APPLICABLE)) {
                assertFalse(t.reason().isBlank(), t.toString());
            }
            assertTrue(r.passed() >= 80, r.summaryLine());
            System.getLogger(RefCorpusTest.class.getName()).log(System.Logger.Level.INFO, "reference device: " + r.summaryLine());
        }
    }
}
