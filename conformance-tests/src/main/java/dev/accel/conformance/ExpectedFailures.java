package dev.accel.conformance;

import dev.accel.hal.Device;
import dev.accel.hal.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A backend's list of expected failures: cases known to fail today, each naming the issue that will
 * fix it. A listed case that fails is reported EXPECTED_FAILURE; one that passes is reported
 * UNEXPECTED_PASS (the entry is stale), which makes the summary not ok. Permanent gaps are not
 * listed here: the device's {@link dev.accel.hal.Capabilities} report those as UNSUPPORTED.
 *
 * <p>A backend ships the list as the class-path resource
 * {@code META-INF/accel/expected-failures/<backend id>.txt} (for example {@code .../opencl.txt}), in
 * UTF-8, one entry per line:
 *
 * <pre>
 * # comment; blank lines are ignored
 * &lt;case-id glob&gt;  &lt;issue&gt;  &lt;reason&gt;
 * Conv/bf16/*                    #42                bf16 accumulation drifts on long reductions
 * Attention/f16/large-*          acme/accel#7       exceeds local memory on small GPUs
 * Pad/u8/reflect-*              https://example.org/issues/9   reflect mode not written yet
 * </pre>
 *
 * Fields are separated by whitespace. The glob matches whole case ids ({@code <op>/<dtype>/<family>},
 * as in the report): {@code *} matches any run of characters, {@code /} included, {@code ?} one
 * character; everything else is literal. The issue is {@code #<number>}, {@code <owner>/<repo>#<number>}
 * or an http(s) URL. The reason is the rest of the line and must not be empty. A malformed line is
 * an {@link InvalidArgumentException} naming the resource and line. Several resources of the same
 * name on the class path are merged.
 */
public final class ExpectedFailures {
    /** Folder of the resources on the class path. */
    public static final String RESOURCE_DIR = "META-INF/accel/expected-failures/";

    private static final Pattern ISSUE = Pattern.compile("#\\d+|[\\w.-]+/[\\w.-]+#\\d+|https?://\\S+");
    private static final Pattern FIELDS = Pattern.compile("(\\S+)\\s+(\\S+)\\s+(.*\\S)\\s*");

    /** One entry: where it was declared, what it matches, the issue and why. */
    public record Entry(String glob, String issue, String reason, String source, int line) {
        /** True when the glob matches the whole id. */
        public boolean matches(String caseId) {
            return globToRegex(glob).matcher(caseId).matches();
        }

        @Override
        public String toString() {
            return source + ":" + line + " (" + glob + ", issue " + issue + ": " + reason + ")";
        }
    }

    private final List<Entry> entries;

    private ExpectedFailures(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** No expected failures. */
    public static ExpectedFailures none() {
        return new ExpectedFailures(List.of());
    }

    /**
     * Parses the text of one list.
     *
     * @param source where the text came from, for messages
     * @throws InvalidArgumentException naming the source and line of a malformed entry
     */
    public static ExpectedFailures parse(String text, String source) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            var m = FIELDS.matcher(line);
            if (!m.matches()) {
                throw new InvalidArgumentException(source + ":" + (i + 1) + ": '" + line
                        + "' must have three fields: <case-id glob> <issue> <reason>");
            }
            if (!ISSUE.matcher(m.group(2)).matches()) {
                throw new InvalidArgumentException(source + ":" + (i + 1) + ": issue '" + m.group(2)
                        + "' must be #<number>, <owner>/<repo>#<number> or an http(s) URL");
            }
            out.add(new Entry(m.group(1), m.group(2), m.group(3), source, i + 1));
        }
        return new ExpectedFailures(out);
    }

    /** The lists every resource {@code META-INF/accel/expected-failures/<backendId>.txt} on {@code loader} holds, merged. */
    public static ExpectedFailures forBackend(String backendId, ClassLoader loader) {
        String name = RESOURCE_DIR + backendId + ".txt";
        List<Entry> all = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader == null ? ClassLoader.getSystemResources(name) : loader.getResources(name);
            for (URL url : Collections.list(urls)) {
                try (InputStream in = url.openStream()) {
                    all.addAll(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), url.toString()).entries);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " failed: " + e.getMessage(), e);
        }
        return new ExpectedFailures(all);
    }

    /** The list of the device's backend, from the class loader that loaded the device's class. */
    public static ExpectedFailures forDevice(Device device) {
        return forBackend(device.info().backendId(), device.getClass().getClassLoader());
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The first entry matching {@code caseId}. */
    public Optional<Entry> match(String caseId) {
        return entries.stream().filter(e -> e.matches(caseId)).findFirst();
    }

    /** Entries that match none of {@code caseIds}: stale or misspelt. */
    public List<Entry> unmatched(List<String> caseIds) {
        return entries.stream().filter(e -> caseIds.stream().noneMatch(e::matches)).toList();
    }

    /**
     * Applies the list to a raw result: a listed FAILED becomes EXPECTED_FAILURE, a listed PASSED
     * becomes UNEXPECTED_PASS; anything else is returned as it is.
     */
    public CaseResult apply(CaseResult r) {
        if (r.outcome() != Outcome.FAILED && r.outcome() != Outcome.PASSED) {
            return r;
        }
        Optional<Entry> e = match(r.id());
        if (e.isEmpty()) {
            return r;
        }
        Entry x = e.get();
        if (r.outcome() == Outcome.FAILED) {
            return new CaseResult(r.id(), r.op(), r.dtype(), r.shape(), Outcome.EXPECTED_FAILURE, r.maxAbsError(),
                    r.maxRelError(), "expected failure, issue " + x.issue() + ": " + x.reason() + " [" + r.detail() + "]");
        }
        return new CaseResult(r.id(), r.op(), r.dtype(), r.shape(), Outcome.UNEXPECTED_PASS, r.maxAbsError(),
                r.maxRelError(), "listed as an expected failure at " + x + " but passed; remove the entry");
    }

    static Pattern globToRegex(String glob) {
        StringBuilder b = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(b.toString());
    }
}
