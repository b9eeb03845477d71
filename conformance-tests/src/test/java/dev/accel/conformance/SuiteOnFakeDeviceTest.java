package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Support;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The suite's own machinery, on a fake device whose kernels are the reference: a correct device
 * passes every case (so generation, comparison and tolerances accept right answers, including
 * half-precision rounding of outputs), and each injected fault gives the outcome it should.
 */
class SuiteOnFakeDeviceTest {
    private static boolean isAdd(OpSpec s) {
        return s.op() instanceof Binary b && b.kind() == Binary.Kind.ADD;
    }

    /**
     * The whole suite with the backend's list from the class path: the test resource
     * META-INF/accel/expected-failures/fake.txt lists Softmax/bf16/*, which a correct device passes.
     */
    @Test
    void aCorrectDevicePassesEveryCase() {
        List<String> updates = new ArrayList<>();
        ConformanceReport r;
        try (FakeDevice d = FakeDevice.correct()) {
            r = ConformanceSuite.run(d, (done, total, id) -> {
                if (done == 0 || done == total) {
                    updates.add(done + "/" + total);
                }
            });
        }
        String notPassed = r.cases().stream().filter(c -> c.outcome() != Outcome.PASSED && !c.id().startsWith("Softmax/bf16/"))
                .limit(20).map(c -> c.id() + ": " + c.outcome() + " " + c.detail()).collect(Collectors.joining("\n"));
        long listed = r.cases().stream().filter(c -> c.id().startsWith("Softmax/bf16/")).count();
        assertTrue(listed >= 4);
        assertEquals(new Summary(r.cases().size() - (int) listed, 0, 0, 0, (int) listed), r.summary(), notPassed);
        assertTrue(r.cases().stream().filter(c -> c.id().startsWith("Softmax/bf16/"))
                .allMatch(c -> c.outcome() == Outcome.UNEXPECTED_PASS && c.detail().contains("issue #99")));
        assertEquals(ConformanceSuite.cases().size(), r.summary().total());
        int n = r.summary().total();
        assertEquals(List.of("0/" + n, n + "/" + n), updates, "progress is reported at the start and the end");
        for (CaseResult c : r.cases()) {
            if (c.op().equals("Buffer") || c.op().equals("Queue")) {
                continue;
            }
            assertTrue(c.maxRelError() <= Tolerances.BF16, c.id() + " measured " + c.maxRelError());
        }
    }

    @Test
    void unsupportedSpecsAreReportedWithTheReason() {
        try (FakeDevice d = new FakeDevice("fake:0", s -> s.op() instanceof Conv2d
                ? Support.unsupported("no convolution on this fake") : Support.nativeSupport(), false, s -> false)) {
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.startsWith("Conv/") || id.startsWith("Relu/f32/"));
            List<CaseResult> conv = r.cases().stream().filter(c -> c.op().equals("Conv")).toList();
            assertFalse(conv.isEmpty());
            for (CaseResult c : conv) {
                assertEquals(Outcome.UNSUPPORTED, c.outcome(), c.id());
                assertEquals("no convolution on this fake", c.detail());
                assertTrue(Double.isNaN(c.maxAbsError()));
            }
            assertEquals(conv.size(), r.summary().unsupported());
            assertTrue(r.summary().passed() >= 5, "the Relu cases still run");
            assertTrue(r.summary().ok(), "unsupported is not a failure");
        }
    }

    @Test
    void unsupportedSpecThatPrepareAcceptsIsAFailure() {
        try (FakeDevice d = new FakeDevice("fake:0", s -> isAdd(s) ? Support.unsupported("says no") : Support.nativeSupport(),
                true, s -> false)) {
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.equals("Add/f32/same-127"));
            CaseResult c = r.cases().getFirst();
            assertEquals(Outcome.FAILED, c.outcome());
            assertTrue(c.detail().contains("capabilities say UNSUPPORTED (says no)") && c.detail().contains("prepare succeeded")
                    && c.detail().contains("UnsupportedOpException"), c.detail());
            assertFalse(r.summary().ok());
        }
    }

    @Test
    void wrongResultsFailWithTheWorstElement() {
        try (FakeDevice d = new FakeDevice("fake:0", s -> Support.nativeSupport(), false, SuiteOnFakeDeviceTest::isAdd)) {
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.startsWith("Add/f32/") || id.startsWith("Sub/f32/"));
            for (CaseResult c : r.cases()) {
                boolean empty = c.id().contains("empty");
                Outcome want = c.op().equals("Add") && !empty ? Outcome.FAILED : Outcome.PASSED;
                assertEquals(want, c.outcome(), c.id() + ": " + c.detail());
                if (want == Outcome.FAILED) {
                    assertEquals(1.0, c.maxAbsError(), 1e-5, c.id());
                    assertTrue(c.detail().contains("worst at flat index 0"), c.detail());
                }
            }
        }
    }

    @Test
    void expectedFailuresAndUnexpectedPasses() {
        ExpectedFailures list = ExpectedFailures.parse("""
                Add/f32/same-*   #12   add is off by one in the fake
                Sub/f32/n1       #13   believed broken, actually fine
                """, "test");
        try (FakeDevice d = new FakeDevice("fake:0", s -> Support.nativeSupport(), false, SuiteOnFakeDeviceTest::isAdd)) {
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, list,
                    id -> id.equals("Add/f32/same-127") || id.equals("Sub/f32/n1") || id.equals("Add/f32/n1"));
            assertEquals(Outcome.EXPECTED_FAILURE, find(r, "Add/f32/same-127").outcome());
            assertTrue(find(r, "Add/f32/same-127").detail().startsWith("expected failure, issue #12: add is off by one"));
            assertEquals(Outcome.UNEXPECTED_PASS, find(r, "Sub/f32/n1").outcome());
            assertTrue(find(r, "Sub/f32/n1").detail().contains("remove the entry"));
            assertEquals(Outcome.FAILED, find(r, "Add/f32/n1").outcome(), "not listed");
            assertEquals(new Summary(0, 1, 0, 1, 1), r.summary());
            assertFalse(r.summary().ok());
        }
    }

    @Test
    void anUnexpectedPassAloneMakesTheSummaryNotOk() {
        ExpectedFailures list = ExpectedFailures.parse("Sub/f32/n1 #13 stale", "test");
        try (FakeDevice d = FakeDevice.correct()) {
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, list, id -> id.equals("Sub/f32/n1"));
            assertEquals(new Summary(0, 0, 0, 0, 1), r.summary());
            assertFalse(r.summary().ok());
        }
    }

    @Test
    void stuckWorkFailsTheCaseAndTheRestRunOnAFreshQueue() {
        try (FakeDevice d = FakeDevice.correct()) {
            d.hang = SuiteOnFakeDeviceTest::isAdd;
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.equals("Add/f32/n1") || id.equals("Sub/f32/n1") || id.equals("Queue/u8/in-order"));
            CaseResult add = find(r, "Add/f32/n1");
            assertEquals(Outcome.FAILED, add.outcome());
            assertTrue(add.detail().contains("did not finish within " + OpCase.TIMEOUT.toSeconds() + " s"), add.detail());
            assertEquals(Outcome.PASSED, find(r, "Sub/f32/n1").outcome());
            assertEquals(Outcome.PASSED, find(r, "Queue/u8/in-order").outcome());
            assertFalse(d.closedAStuckQueue, "a stuck queue must be abandoned, not closed");
        }
    }

    @Test
    void hostSegmentCasesAreUnsupportedWithTheReasonWhereBuffersHaveNone() {
        try (FakeDevice d = FakeDevice.correct()) {
            d.hostSegments = FakeDevice.HostSegments.NONE;
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.contains("/host-segment-"));
            assertEquals(3, r.cases().size());
            for (CaseResult c : r.cases()) {
                assertEquals(Outcome.UNSUPPORTED, c.outcome(), c.id() + ": " + c.detail());
                assertTrue(c.detail().startsWith("hostSegment() is empty: fake:0"), c.detail());
            }
            assertTrue(r.summary().ok(), "an optional feature that is absent is not a failure");
        }
    }

    @Test
    void aHostSegmentOfTheWrongSizeFails() {
        try (FakeDevice d = FakeDevice.correct()) {
            d.hostSegments = FakeDevice.HostSegments.ONE_BYTE_SHORT;
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.contains("/host-segment-"));
            for (CaseResult c : r.cases()) {
                assertEquals(Outcome.FAILED, c.outcome(), c.id());
                assertTrue(c.detail().contains("bytes, the buffer has"), c.detail());
            }
        }
    }

    @Test
    void kernelsPreparedWithConstantsMustMatchThoseWithout() {
        try (FakeDevice d = FakeDevice.correct()) {
            d.constantKernelsAreOff = true;
            ConformanceReport r = ConformanceSuite.run(d, ConformanceSuite.Progress.NONE, ExpectedFailures.none(),
                    id -> id.contains("/constants-"));
            assertTrue(r.cases().size() >= 10, r.cases().size() + " constants cases");
            for (CaseResult c : r.cases()) {
                assertEquals(Outcome.FAILED, c.outcome(), c.id());
                assertTrue(c.detail().contains("with constants differs from without"), c.detail());
            }
        }
    }

    private static CaseResult find(ConformanceReport r, String id) {
        return r.cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }
}
