package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {
    private static ArgParser parser() {
        return new ArgParser("demo").flag("verbose").option("out", "DIR").option("runs", "N").option("seed", "N");
    }

    @Test
    void readsFlagsAndBothOptionForms() {
        ArgParser.Parsed p = parser().parse(List.of("--verbose", "--out", "a/b", "--runs=7"));
        assertTrue(p.flag("verbose"));
        assertEquals("a/b", p.value("out", "x"));
        assertEquals(7, p.intValue("runs", 1, 1, 10));
        assertFalse(p.help());
    }

    @Test
    void absentOptionsFallBack() {
        ArgParser.Parsed p = parser().parse(List.of());
        assertFalse(p.flag("verbose"));
        assertEquals("reports", p.value("out", "reports"));
        assertEquals(5, p.intValue("runs", 5, 1, 10));
        assertEquals(42L, p.longValue("seed", 42));
    }

    @Test
    void negativeNumbersAreValuesNotOptions() {
        assertEquals(-3L, parser().parse(List.of("--seed", "-3")).longValue("seed", 0));
    }

    @Test
    void helpWinsOverErrorsBeforeDoubleDash() {
        assertTrue(parser().parse(List.of("--bogus", "--help")).help());
        assertTrue(parser().parse(List.of("-h")).help());
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("--", "--help")));
        assertTrue(e.getMessage().contains("'--help'"), e.getMessage());
    }

    @Test
    void unknownOptionIsNamedWithTheKnownOnes() {
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("--outt", "x")));
        assertTrue(e.getMessage().contains("'--outt'"), e.getMessage());
        assertTrue(e.getMessage().contains("'accel demo'"), e.getMessage());
        assertTrue(e.getMessage().contains("--out DIR"), e.getMessage());
    }

    @Test
    void shortOptionsOtherThanHelpAreRejected() {
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("-v")));
        assertTrue(e.getMessage().contains("'-v'"), e.getMessage());
    }

    @Test
    void missingValueNamesTheOptionAndPlaceholder() {
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("--out")));
        assertEquals("option '--out' needs a value: --out DIR", e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--out", "--verbose")));
        assertEquals("option '--out' needs a value: --out DIR", e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--out=")));
        assertTrue(e.getMessage().contains("empty value"), e.getMessage());
    }

    @Test
    void flagWithValueAndRepeatsAreErrors() {
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("--verbose=yes")));
        assertTrue(e.getMessage().contains("'--verbose' takes no value"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--out", "a", "--out=b")));
        assertEquals("option '--out' given twice ('a' and 'b')", e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--verbose", "--verbose")));
        assertTrue(e.getMessage().contains("'--verbose' given twice"), e.getMessage());
    }

    @Test
    void positionalsAreRejectedUnlessDeclared() {
        UsageException e = assertThrows(UsageException.class, () -> parser().parse(List.of("extra")));
        assertTrue(e.getMessage().contains("unexpected argument 'extra'"), e.getMessage());
        ArgParser.Parsed p = new ArgParser("run").positionals("MODEL").flag("x").parse(List.of("m.onnx", "--x", "--", "--y"));
        assertEquals(List.of("m.onnx", "--y"), p.positionals());
        assertTrue(p.flag("x"));
    }

    @Test
    void integerOptionsAreRangeChecked() {
        UsageException e = assertThrows(UsageException.class,
                () -> parser().parse(List.of("--runs", "0")).intValue("runs", 5, 1, 1000));
        assertEquals("option '--runs' must be an integer from 1 to 1000, got '0'", e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--runs", "five")).intValue("runs", 5, 1, 9));
        assertTrue(e.getMessage().contains("got 'five'"), e.getMessage());
        e = assertThrows(UsageException.class, () -> parser().parse(List.of("--seed", "x1")).longValue("seed", 1));
        assertEquals("option '--seed' must be an integer, got 'x1'", e.getMessage());
    }
}
