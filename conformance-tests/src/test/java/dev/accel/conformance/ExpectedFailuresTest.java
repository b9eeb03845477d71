package dev.accel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.InvalidArgumentException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectedFailuresTest {
    @Test
    void parsesEntriesSkippingCommentsAndBlankLines() {
        ExpectedFailures f = ExpectedFailures.parse("""
                # header

                Conv/bf16/*            #42              bf16 accumulation drifts
                  Attention/f16/large-?x4*  acme/accel#7  too big for local memory\t
                Pad/u8/reflect-*       https://example.org/issues/9   not written yet
                """, "list.txt");
        assertEquals(3, f.entries().size());
        ExpectedFailures.Entry e = f.entries().getFirst();
        assertEquals("Conv/bf16/*", e.glob());
        assertEquals("#42", e.issue());
        assertEquals("bf16 accumulation drifts", e.reason());
        assertEquals("list.txt", e.source());
        assertEquals(3, e.line());
        assertEquals("too big for local memory", f.entries().get(1).reason(), "trailing whitespace is dropped");
        assertEquals(5, f.entries().get(2).line());
    }

    @Test
    void globsMatchWholeIdsWithStarAcrossSlashes() {
        ExpectedFailures f = ExpectedFailures.parse("Conv/*/depthwise-* #1 a\nAttention/f16/large-?x4* #2 b", "t");
        assertTrue(f.match("Conv/f16/depthwise-3x3-1x8x17x17").isPresent());
        assertTrue(f.match("Attention/f16/large-2x4x64x32").isPresent());
        assertFalse(f.match("Attention/f16/large-12x4").isPresent(), "? is exactly one character");
        assertFalse(f.match("XConv/f16/depthwise-3").isPresent(), "the glob matches the whole id");
        assertFalse(f.match("Conv/f32/pointwise").isPresent());
        ExpectedFailures all = ExpectedFailures.parse("* #3 everything", "t");
        assertTrue(all.match("Queue/u8/in-order").isPresent());
        ExpectedFailures dots = ExpectedFailures.parse("Attention/f16/scale0.5-* #4 dots are literal", "t");
        assertFalse(dots.match("Attention/f16/scale0x5-causal").isPresent());
    }

    @Test
    void malformedLinesNameTheSourceAndLine() {
        InvalidArgumentException missing = assertThrows(InvalidArgumentException.class,
                () -> ExpectedFailures.parse("# c\nConv/f32/* #12", "cpu.txt"));
        assertTrue(missing.getMessage().contains("cpu.txt:2") && missing.getMessage().contains("three fields"),
                missing.getMessage());
        InvalidArgumentException badIssue = assertThrows(InvalidArgumentException.class,
                () -> ExpectedFailures.parse("Conv/f32/* soon some reason", "cpu.txt"));
        assertTrue(badIssue.getMessage().contains("cpu.txt:1") && badIssue.getMessage().contains("'soon'"),
                badIssue.getMessage());
    }

    @Test
    void applyMapsOnlyListedPassesAndFailures() {
        ExpectedFailures f = ExpectedFailures.parse("A/f32/* #5 known", "t");
        CaseResult failed = new CaseResult("A/f32/x", "A", "f32", "1", Outcome.FAILED, 2, 3, "off by 2");
        CaseResult mapped = f.apply(failed);
        assertEquals(Outcome.EXPECTED_FAILURE, mapped.outcome());
        assertEquals("expected failure, issue #5: known [off by 2]", mapped.detail());
        assertEquals(2, mapped.maxAbsError());
        CaseResult passed = new CaseResult("A/f32/y", "A", "f32", "1", Outcome.PASSED, 0, 0, "");
        assertEquals(Outcome.UNEXPECTED_PASS, f.apply(passed).outcome());
        assertTrue(f.apply(passed).detail().contains("t:1"), f.apply(passed).detail());
        CaseResult unsupported = new CaseResult("A/f32/z", "A", "f32", "1", Outcome.UNSUPPORTED, Double.NaN, Double.NaN, "r");
        assertSame(unsupported, f.apply(unsupported));
        CaseResult other = new CaseResult("B/f32/x", "B", "f32", "1", Outcome.FAILED, 1, 1, "d");
        assertSame(other, f.apply(other));
    }

    @Test
    void loadsTheBackendsResourceFromTheClassPath() {
        ExpectedFailures f = ExpectedFailures.forBackend("fake", getClass().getClassLoader());
        assertEquals(1, f.entries().size());
        assertEquals("#99", f.entries().getFirst().issue());
        assertTrue(f.entries().getFirst().source().endsWith("META-INF/accel/expected-failures/fake.txt"));
        try (FakeDevice d = FakeDevice.correct()) {
            assertEquals(f.entries(), ExpectedFailures.forDevice(d).entries());
        }
        assertTrue(ExpectedFailures.forBackend("no-such-backend", getClass().getClassLoader()).entries().isEmpty());
    }

    @Test
    void unmatchedEntriesAreFound() {
        ExpectedFailures f = ExpectedFailures.parse("A/* #1 a\nB/* #2 b", "t");
        assertEquals(List.of("B/*"), f.unmatched(List.of("A/f32/x")).stream().map(ExpectedFailures.Entry::glob).toList());
    }
}
