package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.Backend;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MainTest {
    private static final Supplier<List<Backend>> NONE = List::of;

    @Test
    void noCommandIsAUsageError() {
        CliRunner.Result r = CliRunner.run(NONE);
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().contains("no command given"), r.all());
        assertTrue(r.err().contains("usage: accel <command>"), r.all());
    }

    @Test
    void helpListsEveryCommand() {
        CliRunner.Result r = CliRunner.run(NONE, "--help");
        assertEquals(Main.OK, r.status());
        for (String c : List.of("devices", "conformance", "demo", "test", "ACCEL_REQUIRE")) {
            assertTrue(r.out().contains(c), c + " missing from\n" + r.all());
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : List.of("devices", "conformance", "demo")) {
            CliRunner.Result r = CliRunner.run(NONE, c, "--help");
            assertEquals(Main.OK, r.status(), r.all());
            assertTrue(r.out().startsWith("usage: accel " + c), r.all());
            assertEquals(r.out(), CliRunner.run(NONE, "help", c).out());
        }
    }

    @Test
    void unknownCommandIsNamed() {
        CliRunner.Result r = CliRunner.run(NONE, "devics");
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().contains("unknown command 'devics'"), r.all());
        assertTrue(r.err().contains("commands: devices, conformance, demo, ") && r.err().contains(", test"), r.all());
    }

    @Test
    void badOptionGivesStatusTwoAndNamesIt() {
        CliRunner.Result r = CliRunner.run(NONE, "devices", "--bogus");
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().startsWith("accel devices: unknown option '--bogus'"), r.all());
        assertTrue(r.err().contains("accel devices --help"), r.all());
        assertEquals("", r.out());
    }

    @Test
    void testCommandPointsAtTheLauncher() {
        CliRunner.Result r = CliRunner.run(NONE, "test");
        assertEquals(Main.USAGE, r.status());
        assertTrue(r.err().contains("./accel test"), r.all());
    }
}
