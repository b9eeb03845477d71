package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.graph.ValueType;
import dev.accel.hal.AccelException;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.ModelFormatException;
import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs ONNX backend-test folders (the standard layout: {@code model.onnx} and
 * {@code test_data_set_N/input_K.pb, output_K.pb}) on devices and reports, per folder and device,
 * passed, failed, not applicable (with the reason: an op outside the op set, a sequence type, a
 * string tensor, an op the device cannot run) or expected failure, with the largest absolute and
 * relative errors.
 *
 * <p>Per data set: the model's inputs take the data's types; inputs that only carry parameters (a
 * Reshape's target shape, Slice bounds) become constants of the data; the graph is resolved
 * ({@link Passes#resolve}); a {@link GraphExecutor} runs it node by node on the device; each
 * output is compared with {@code |got - want| <= atol + rtol * |want|} (float32: 1e-5 and 1e-3;
 * float16: 1e-3 and 1e-2; bfloat16: 1e-2 and 2e-2; integers and bool exactly; NaN matches NaN).
 *
 * <p>Thread safety: stateless; a run uses the devices it is given from the calling thread.
 */
public final class OnnxTestRunner {
    private static final System.Logger LOG = System.getLogger(OnnxTestRunner.class.getName());

    private OnnxTestRunner() {
    }

    /** Runs every test folder under {@code dirs} on one device, with no expected failures. */
    public static OnnxTestReport run(List<Path> dirs, Device device) {
        return run(dirs, List.of(device), Map.of());
    }

    /**
     * Runs every test folder under {@code dirs} on each device.
     *
     * @param dirs test folders, or folders holding test folders (searched three levels deep)
     * @param expectedFailures test id ({@code group/test_name}) to the reason it is expected to fail
     */
    public static OnnxTestReport run(List<Path> dirs, List<Device> devices, Map<String, String> expectedFailures) {
        List<Path> tests = findTests(dirs);
        List<OnnxTestResult> results = new ArrayList<>();
        for (Device d : devices) {
            for (Path t : tests) {
                OnnxTestResult r = runOne(t, d, expectedFailures);
                LOG.log(System.Logger.Level.DEBUG, r::toString);
                results.add(r);
            }
        }
        return new OnnxTestReport(results);
    }

    /**
     * Parses an expected-failure list: one entry per line, {@code group/test_name}, a tab, the
     * reason; blank lines and lines starting with '#' are ignored.
     *
     * @throws ModelFormatException naming a line without a reason
     */
    public static Map<String, String> parseExpectedFailures(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\\R")) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\t", 2);
            if (parts.length != 2 || parts[1].isBlank()) {
                throw new ModelFormatException("expected-failure list, line " + n + ": '" + line + "' needs a test id, a tab and a reason");
            }
            m.put(parts[0].trim(), parts[1].trim());
        }
        return m;
    }

    /** Test folders (holding model.onnx) at or below the given paths, sorted, each once. */
    public static List<Path> findTests(List<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isRegularFile(d.resolve("model.onnx"))) {
                out.add(d);
                continue;
            }
            try (Stream<Path> s = Files.walk(d, 3)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).forEach(out::add);
            } catch (IOException e) {
                throw new ModelFormatException("cannot list test folders under " + d + ": " + e.getMessage(), e);
            }
        }
        return out.stream().distinct().sorted().toList();
    }

    /** The id of a test folder: its parent's name and its own ({@code node/test_add}). */
    public static String testId(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        return (parent == null || parent.getFileName() == null ? "" : parent.getFileName() + "/") + abs.getFileName();
    }

    /** Runs one test folder on one device. */
    public static OnnxTestResult runOne(Path dir, Device device, Map<String, String> expectedFailures) {
        String id = testId(dir);
        long start = System.nanoTime();
        Outcome o = attempt(dir, device);
        long millis = (System.nanoTime() - start) / 1_000_000;
        String expected = expectedFailures.get(id);
        String dev = device.info().id();
        if (o.outcome == OnnxTestResult.Outcome.FAILED && expected != null) {
            return new OnnxTestResult(id, dev, OnnxTestResult.Outcome.EXPECTED_FAILURE, expected + " (now: " + o.reason + ")",
                    o.abs, o.rel, false, millis);
        }
        return new OnnxTestResult(id, dev, o.outcome, o.reason, o.abs, o.rel,
                o.outcome == OnnxTestResult.Outcome.PASSED && expected != null, millis);
    }

    private record Outcome(OnnxTestResult.Outcome outcome, String reason, double abs, double rel) {
        static Outcome na(String reason) {
            return new Outcome(OnnxTestResult.Outcome.NOT_APPLICABLE, reason, Double.NaN, Double.NaN);
        }

        static Outcome failed(String reason, double abs, double rel) {
            return new Outcome(OnnxTestResult.Outcome.FAILED, reason, abs, rel);
        }
    }

    private static Outcome attempt(Path dir, Device device) {
        OnnxModel model;
        try {
            model = OnnxReader.read(dir.resolve("model.onnx"));
        } catch (UnsupportedModelException e) {
            return Outcome.na(e.shortReason());
        } catch (ModelFormatException e) {
            return Outcome.failed("model: " + e.getMessage(), Double.NaN, Double.NaN);
        }
        List<Path> sets = dataSets(dir);
        if (sets.isEmpty()) {
            return Outcome.failed("no test_data_set_N folder in " + dir, Double.NaN, Double.NaN);
        }
        double abs = Double.NaN;
        double rel = Double.NaN;
        for (Path set : sets) {
            Outcome o;
            try {
                o = runSet(model.graph(), set, device);
            } catch (UnsupportedModelException e) {
                o = Outcome.na(e.shortReason());
            } catch (AccelException | IllegalStateException e) {
                o = Outcome.failed(set.getFileName() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), Double.NaN, Double.NaN);
            }
            abs = max(abs, o.abs);
            rel = max(rel, o.rel);
            if (o.outcome != OnnxTestResult.Outcome.PASSED) {
                return new Outcome(o.outcome, o.reason, abs, rel);
            }
        }
        return new Outcome(OnnxTestResult.Outcome.PASSED, "", abs, rel);
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static Outcome runSet(Graph graph, Path set, Device device) {
        List<Constant> inputs = readAll(set, "input_");
        List<Constant> expected = readAll(set, "output_");
        if (inputs.size() != graph.inputs().size()) {
            return Outcome.failed(set.getFileName() + " has " + inputs.size() + " inputs, the model takes " + graph.inputs().size()
                    + " " + graph.inputs(), Double.NaN, Double.NaN);
        }
        if (expected.size() != graph.outputs().size()) {
            return Outcome.failed(set.getFileName() + " has " + expected.size() + " outputs, the model produces " + graph.outputs().size(),
                    Double.NaN, Double.NaN);
        }
        Map<String, ValueType> types = new HashMap<>();
        Map<String, Constant> data = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            String name = graph.inputs().get(i);
            ValueType declared = graph.type(name);
            if (declared.dtype() != inputs.get(i).type().dtype()) {
                return Outcome.failed("input '" + name + "' is declared " + declared + " but the data is " + inputs.get(i).type(),
                        Double.NaN, Double.NaN);
            }
            types.put(name, ValueType.of(inputs.get(i).type()));
            data.put(name, inputs.get(i));
        }
        Graph resolved;
        try {
            Graph g = graph.withInputTypes(types);
            Map<String, Constant> params = new HashMap<>();
            for (String p : g.parameterInputs()) {
                params.put(p, data.remove(p));
            }
            if (!params.isEmpty()) {
                g = g.withConstantInputs(params);
            }
            resolved = Passes.resolve(g, Map.of());
        } catch (dev.accel.hal.InvalidArgumentException e) {
            if (String.valueOf(e.getMessage()).contains("requires float32, float16 or bfloat16")) {
                return Outcome.na("the op set defines this op for float types only: " + e.getMessage());
            }
            return Outcome.failed("the graph does not accept these inputs: " + e.getMessage(), Double.NaN, Double.NaN);
        }
        if (!resolved.isResolved()) {
            String why = resolved.unresolved().get(0);
            return Outcome.na(why.contains("requires float32, float16 or bfloat16")
                    ? "the op set defines this op for float types only: " + why : why);
        }
        for (Node n : resolved.nodes()) {
            OpSpec spec = resolved.spec(n);
            Support s = device.capabilities().support(spec);
            if (!s.runnable()) {
                return Outcome.na(device.info().id() + " cannot run " + spec + ": " + s.reason());
            }
        }
        Map<String, HostTensor> in = new HashMap<>();
        for (var e : data.entrySet()) {
            in.put(e.getKey(), e.getValue().tensor());
        }
        Map<String, HostTensor> out;
        try (GraphExecutor ex = new GraphExecutor(device, resolved)) {
            out = ex.run(in);
        }
        try {
            return Comparison.compare(resolved.outputs(), out, expected);
        } finally {
            out.values().forEach(HostTensor::close);
        }
    }

    private static List<Path> dataSets(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("test_data_set_"))
                    .sorted(Comparator.comparingInt(p -> index(p.getFileName().toString(), "test_data_set_"))).toList();
        } catch (IOException e) {
            throw new ModelFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Constant> readAll(Path set, String prefix) {
        List<Path> files;
        try (Stream<Path> s = Files.list(set)) {
            files = s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".pb"))
                    .sorted(Comparator.comparingInt(p -> index(p.getFileName().toString(), prefix))).toList();
        } catch (IOException e) {
            throw new ModelFormatException("cannot list " + set + ": " + e.getMessage(), e);
        }
        List<Constant> out = new ArrayList<>();
        for (Path f : files) {
            out.add(OnnxTensors.read(f));
        }
        return out;
    }

    private static int index(String name, String prefix) {
        String digits = name.substring(prefix.length()).replaceAll("\\D.*$", "");
        try {
            return digits.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }


    /** Output comparison with per-dtype tolerances. */
    static final class Comparison {
        private Comparison() {
        }

        static Outcome compare(List<String> names, Map<String, HostTensor> got, List<Constant> want) {
            double abs = 0;
            double rel = 0;
            for (int i = 0; i < names.size(); i++) {
                HostTensor g = got.get(names.get(i));
                Constant w = want.get(i);
                if (!g.type().equals(w.type())) {
                    return Outcome.failed("output '" + names.get(i) + "' is " + g.type() + ", expected " + w.type(), Double.NaN, Double.NaN);
                }
                DType d = w.type().dtype();
                double atol = d == DType.F32 ? 1e-5 : d == DType.F16 ? 1e-3 : d == DType.BF16 ? 1e-2 : 0;
                double rtol = d == DType.F32 ? 1e-3 : d == DType.F16 ? 1e-2 : d == DType.BF16 ? 2e-2 : 0;
                String firstBad = null;
                for (long k = 0; k < w.numel(); k++) {
                    double a = g.getDouble(k);
                    double b = w.getDouble(k);
                    if (Double.isNaN(a) && Double.isNaN(b) || a == b) {
                        continue;
                    }
                    double diff = Double.isNaN(a) || Double.isNaN(b) ? Double.POSITIVE_INFINITY : Math.abs(a - b);
                    abs = Math.max(abs, diff);
                    rel = Math.max(rel, diff / Math.max(Math.abs(b), 1e-30));
                    if (!(diff <= atol + rtol * Math.abs(b)) && firstBad == null) {
                        firstBad = "output '" + names.get(i) + "' " + w.type() + " element " + k + " is " + a + ", expected " + b;
                    }
                }
                if (firstBad != null) {
                    return Outcome.failed(firstBad, abs, rel);
                }
            }
            return new Outcome(OnnxTestResult.Outcome.PASSED, "", abs, rel);
        }
    }
}
