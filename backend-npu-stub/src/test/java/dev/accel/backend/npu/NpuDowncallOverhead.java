package dev.accel.backend.npu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A hand-run measurement of the cost of a trivial downcall (npu_get_version), with and without
 * {@code Linker.Option.critical}, next to a plain Java call. Not a test and not JMH: a loop that
 * prints nanoseconds per call, for the note of issue 7. Run from the module folder after
 * {@code mvn -pl backend-npu-stub verify}:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:$HOME/.m2/repository/dev/accel/hal-api/0.1.0-SNAPSHOT/hal-api-0.1.0-SNAPSHOT.jar \
 *     dev.accel.backend.npu.NpuDowncallOverhead
 * </pre>
 */
public final class NpuDowncallOverhead {
    private static final MethodHandle PLAIN = Linker.nativeLinker().downcallHandle(
            NpuLibrary.lookup().find("npu_get_version").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static int javaSink = 1;

    private NpuDowncallOverhead() {
    }

    public static void main(String[] args) throws Throwable {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50_000_000;
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += NpuNative.version();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += (int) PLAIN.invokeExact();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += javaVersion();
            }
            long t3 = System.nanoTime();
            if (round > 0) { // round 0 is warm-up
                System.out.printf("round %d: critical downcall %.2f ns/call, plain downcall %.2f ns/call, "
                        + "Java static call %.2f ns/call%n", round, (t1 - t0) / (double) calls,
                        (t2 - t1) / (double) calls, (t3 - t2) / (double) calls);
            }
        }
        System.out.println("checksum " + sink);
    }

    private static int javaVersion() {
        return javaSink;
    }
}
