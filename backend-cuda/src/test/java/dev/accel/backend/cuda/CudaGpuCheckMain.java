package dev.accel.backend.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs this module's tests (the GPU ones included) without Maven, for machines that have a GPU
 * but no network: tools/nvidia-check.sh runs it with the jars it carries. Prints JUnit's summary and every
 * failure; exits 1 when a test failed, 2 when none ran.
 */
public final class CudaGpuCheckMain {
    private CudaGpuCheckMain() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.accel.backend.cuda")).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 30);
        s.printTo(out);
        System.exit(s.getTotalFailureCount() > 0 ? 1 : s.getTestsSucceededCount() == 0 ? 2 : 0);
    }
}
