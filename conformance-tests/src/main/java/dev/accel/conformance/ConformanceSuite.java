package dev.accel.conformance;

import dev.accel.hal.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The conformance suite: every case for one device. About a thousand cases: buffers, transfers and
 * queue ordering; every op of {@code dev.accel.hal.op} in float32, float16 and bfloat16 (8-bit
 * integers for the quantized ops, every dtype for layout ops and Cast pairs) over odd sizes,
 * broadcasting, empty tensors, a few large tensors and the geometries that matter, each checked
 * against the float64 reference under the tolerances {@link Tolerances} declares; buffers' host
 * segments where a device offers them; and kernels prepared with constant weights and quantization
 * parameters against the same kernels prepared without.
 *
 * <p>A case whose spec the device's capabilities call UNSUPPORTED is reported UNSUPPORTED with the
 * reason (after checking that {@code prepare} then throws {@link dev.accel.hal.UnsupportedOpException});
 * the backend's {@link ExpectedFailures} turn listed failures into EXPECTED_FAILURE and listed
 * passes into UNEXPECTED_PASS.
 */
public final class ConformanceSuite {
    private static final System.Logger LOG = System.getLogger(ConformanceSuite.class.getName());

    private ConformanceSuite() {
    }

    /** Progress of a run, for a terminal display. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, int total, String currentCase);

        Progress NONE = (d, t, c) -> { };
    }

    /** Every case of the suite, in its stable order. */
    public static List<ConformanceCase> cases() {
        return Cases.all();
    }

    /** Runs every case on {@code device} (which the caller owns) and returns the report. */
    public static ConformanceReport run(Device device, Progress progress) {
        return run(device, progress, ExpectedFailures.forDevice(device), id -> true);
    }

    /**
     * Runs the cases whose id {@code filter} accepts on {@code device}, with the given expected
     * failures, and returns the report. Progress is reported before each case and once at the end.
     */
    public static ConformanceReport run(Device device, Progress progress, ExpectedFailures expected,
                                        Predicate<String> filter) {
        List<ConformanceCase> cases = cases().stream().filter(c -> filter.test(c.id())).toList();
        List<CaseResult> results = new ArrayList<>(cases.size());
        try (CaseRunner runner = new CaseRunner(device, expected)) {
            for (int i = 0; i < cases.size(); i++) {
                progress.update(i, cases.size(), cases.get(i).id());
                results.add(runner.run(cases.get(i)));
            }
        }
        progress.update(cases.size(), cases.size(), "");
        if (cases.size() == cases().size()) {
            for (ExpectedFailures.Entry e : expected.unmatched(cases.stream().map(ConformanceCase::id).toList())) {
                LOG.log(System.Logger.Level.WARNING, "expected failure {0} matches no case of the suite; remove or fix it", e);
            }
        }
        return new ConformanceReport(device.info(), Summary.of(results), results);
    }
}
