package dev.accel.conformance;

import dev.accel.hal.Availability;
import dev.accel.hal.Backend;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The backends a run must certify, from the environment variable {@value #ENV} (for example
 * {@code ACCEL_REQUIRE=cpu,opencl,vulkan}). CI sets it so that a backend that cannot run is a
 * failure instead of a silent skip; a backend not listed that cannot run is skipped with its reason.
 */
public final class RequiredBackends {
    /** The environment variable. */
    public static final String ENV = "ACCEL_REQUIRE";

    private RequiredBackends() {
    }

    /** The backend ids in a comma-separated list, trimmed and lower-cased; null or blank means none. */
    public static Set<String> parse(String value) {
        Set<String> ids = new LinkedHashSet<>();
        if (value == null) {
            return ids;
        }
        for (String s : value.split(",")) {
            String id = s.strip().toLowerCase(Locale.ROOT);
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The ids {@value #ENV} lists in this process's environment. */
    public static Set<String> fromEnvironment() {
        return parse(System.getenv(ENV));
    }

    /**
     * What stops the required backends from running, one message per backend: absent from the
     * class path, or present but unavailable (with the probe's reason and fix). Empty when all can run.
     */
    public static List<String> problems(Set<String> required, List<Backend> backends) {
        List<String> out = new ArrayList<>();
        for (String id : required) {
            Backend b = backends.stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            if (b == null) {
                out.add(ENV + " lists '" + id + "', but no backend with that id is on the class path (found: "
                        + backends.stream().map(Backend::id).collect(Collectors.joining(", ")) + ")");
                continue;
            }
            Availability a = b.probe();
            if (!a.available()) {
                out.add(ENV + " lists '" + id + "', but it is unavailable: " + a.detail()
                        + (a.fix().isEmpty() ? "" : "; fix: " + a.fix()));
            }
        }
        return out;
    }

    /** The message for a backend that is not required and cannot run here. */
    public static String skipMessage(Backend b, Availability a) {
        return "backend '" + b.id() + "' is unavailable here and not required: " + a.detail()
                + (a.fix().isEmpty() ? "" : "; fix: " + a.fix()) + " (set " + ENV + "=" + b.id() + " to make this a failure)";
    }
}
