package dev.accel.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs {@link CpuSuite} without the {@code accel} command: {@code [--quick] [--out FILE.json]}.
 * Needs {@code --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED}.
 */
public final class CpuSuiteMain {
    private CpuSuiteMain() {
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --quick, --out FILE.json");
            }
        }
        CpuReport report = new CpuSuite(quick, System.err::println).run();
        report.facts().forEach((k, v) -> System.out.println(k + ": " + v));
        System.out.println();
        System.out.print(report.table());
        if (out != null) {
            Files.writeString(out, report.json());
        }
    }
}
