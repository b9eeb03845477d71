package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner against real corpus folders, on {@link RefDevice}: a device independent of the CPU
 * kernels, so that these tests measure import, resolution, execution through hal-api and
 * comparison, whatever state the kernels are in.
 */
class OnnxTestRunnerTest {
    @Test
    void runsLayoutAndElementwiseFoldersAndPassesThem() {
        Path root = Corpus.require();
        List<String> ids = List.of("node/test_reshape_zero_and_negative_dim", "node/test_slice_neg_steps", "node/test_split_variable_parts_2d_opset18",
                "node/test_unsqueeze_unsorted_axes", "node/test_squeeze_negative_axes", "node/test_concat_3d_axis_negative_2",
                "node/test_flatten_negative_axis1", "node/test_transpose_all_permutations_5", "node/test_clip_default_max",
                "node/test_div_bcast", "node/test_cast_FLOAT_to_FLOAT16", "simple/test_expand_shape_model3",
                "pytorch-converted/test_PReLU_2d_multiparam", "pytorch-operator/test_operator_flatten", "simple/test_single_relu_model");
        try (RefDevice d = new RefDevice()) {
            OnnxTestReport r = OnnxTestRunner.run(ids.stream().map(root::resolve).toList(), List.of(d), Map.of());
            assertEquals(ids.size(), r.results().size());
            for (OnnxTestResult t : r.results()) {
                assertEquals(OnnxTestResult.Outcome.PASSED, t.outcome(), t.toString());
                assertEquals("ref:0", t.device());
            }
            assertTrue(d.dispatches() >= ids.size(), "every test ran at least one kernel on the device");
        }
    }

    @Test
    void reportsWhyATestIsNotApplicable() {
        Path root = Corpus.require();
        try (RefDevice d = new RefDevice()) {
            Map<String, String> reasons = Map.of(
                    "node/test_identity_sequence", "sequence type",
                    "simple/test_strnorm_model_monday_empty_output", "string tensor",
                    "pytorch-converted/test_Conv3d", "3-D convolution",
                    "simple/test_gradient_of_add", "ai.onnx.preview.training",
                    "node/test_add_uint16", "uint16",
                    "node/test_softmax_example", "ref:0 cannot run Softmax");
            for (var e : reasons.entrySet()) {
                OnnxTestResult t = OnnxTestRunner.runOne(root.resolve(e.getKey()), d, Map.of());
                assertEquals(OnnxTestResult.Outcome.NOT_APPLICABLE, t.outcome(), t.toString());
                assertTrue(t.reason().contains(e.getValue()), t.toString());
            }
        }
    }

    @Test
    void expectedFailuresAndUnexpectedPassesAreReported(@TempDir Path tmp) throws Exception {
        Path root = Corpus.require();
        Path test = root.resolve("node/test_slice");
        // A copy of a passing test with one expected value changed fails on purpose.
        Path broken = tmp.resolve("mine/test_slice_broken");
        Files.createDirectories(broken.resolve("test_data_set_0"));
        Files.copy(test.resolve("model.onnx"), broken.resolve("model.onnx"));
        for (String f : List.of("input_0.pb", "input_1.pb", "input_2.pb", "input_3.pb", "input_4.pb")) {
            Files.copy(test.resolve("test_data_set_0").resolve(f), broken.resolve("test_data_set_0").resolve(f));
        }
        var out = dev.accel.onnx.proto.Onnx.TensorProto.parseFrom(Files.readAllBytes(test.resolve("test_data_set_0/output_0.pb")));
        var raw = out.getRawData().toByteArray();
        raw[3] ^= 0x40; // the exponent of element 0: a large change
        Files.write(broken.resolve("test_data_set_0/output_0.pb"),
                out.toBuilder().setRawData(com.google.protobuf.ByteString.copyFrom(raw)).build().toByteArray());
        try (RefDevice d = new RefDevice()) {
            Map<String, String> expected = Map.of("mine/test_slice_broken", "corrupted on purpose", "node/test_slice", "listed on purpose");
            OnnxTestReport r = OnnxTestRunner.run(List.of(broken, test), List.of(d), expected);
            OnnxTestResult failing = r.results().stream().filter(x -> x.test().equals("mine/test_slice_broken")).findFirst().orElseThrow();
            assertEquals(OnnxTestResult.Outcome.EXPECTED_FAILURE, failing.outcome());
            assertTrue(failing.reason().startsWith("corrupted on purpose") && failing.reason().contains("element 0"), failing.reason());
            assertTrue(failing.maxAbsError() > 0);
            OnnxTestResult passing = r.results().stream().filter(x -> x.test().equals("node/test_slice")).findFirst().orElseThrow();
            assertEquals(OnnxTestResult.Outcome.PASSED, passing.outcome());
            assertTrue(passing.unexpectedPass());
            assertEquals(1, r.expectedFailures());
            assertEquals(1, r.unexpectedPasses());

            Path json = tmp.resolve("out/report.json");
            r.writeJson(json);
            String s = Files.readString(json);
            Matcher m = Pattern.compile("\"summary\": \\{\"passed\": (\\d+), \"failed\": (\\d+), \"notApplicable\": (\\d+), \"expectedFailures\": (\\d+)")
                    .matcher(s);
            assertTrue(m.find(), s);
            assertEquals(List.of("1", "0", "0", "1"), List.of(m.group(1), m.group(2), m.group(3), m.group(4)));
            assertTrue(s.contains("\"outcome\": \"expectedFailure\""), s);
        }
    }

    @Test
    void aWrongResultFailsWithTheElementAndTheErrors(@TempDir Path tmp) throws Exception {
        Path root = Corpus.require();
        try (RefDevice d = new RefDevice()) {
            OnnxTestResult ok = OnnxTestRunner.runOne(root.resolve("node/test_tanh"), d, Map.of());
            assertEquals(OnnxTestResult.Outcome.PASSED, ok.outcome(), ok.toString());
            assertTrue(ok.maxAbsError() < 1e-5, ok.toString());
            assertFalse(ok.unexpectedPass());
        }
    }

    @Test
    void expectedFailureListsNeedAReasonPerEntry() {
        Map<String, String> m = OnnxTestRunner.parseExpectedFailures("# comment\n\nnode/test_a\tbroken kernel, issue 12\n");
        assertEquals(Map.of("node/test_a", "broken kernel, issue 12"), m);
        dev.accel.hal.ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(dev.accel.hal.ModelFormatException.class,
                () -> OnnxTestRunner.parseExpectedFailures("node/test_a\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
