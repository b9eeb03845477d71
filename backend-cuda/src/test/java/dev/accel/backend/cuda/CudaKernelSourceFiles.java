package dev.accel.backend.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The kernel sources as files in the module (tests run from the module folder), and what tests parse out of them. */
final class CudaKernelSourceFiles {
    static final Path FOLDER = Path.of("src/main/resources/dev/accel/backend/cuda/kernels");
    private static final Pattern STRUCT = Pattern.compile("struct (\\w+Args) \\{(.*?)\\};", Pattern.DOTALL);
    private static final Pattern FIELD = Pattern.compile("^(.*?)\\s*(\\w+)(\\[(\\d+)])?$");
    private static final Pattern SIZE = Pattern.compile("ACCEL_STRUCT_SIZE\\((\\w+), (\\d+)\\)");

    private CudaKernelSourceFiles() {
    }

    static List<Path> files(String glob) throws IOException {
        try (Stream<Path> s = Files.list(FOLDER)) {
            return s.filter(p -> p.getFileName().toString().matches(glob)).sorted().toList();
        }
    }

    static String all() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Path p : files(".*\\.cuh?")) {
            sb.append(Files.readString(p)).append('\n');
        }
        return sb.toString();
    }

    /** Every argument struct declared in the sources, name to field specs in the Java form ("i64 dims[8]"). */
    static Map<String, List<String>> structs() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = STRUCT.matcher(all());
        while (m.find()) {
            List<String> fields = new ArrayList<>();
            for (String line : m.group(2).split("\n")) {
                String f = line.trim();
                if (f.isEmpty()) {
                    continue;
                }
                Matcher fm = FIELD.matcher(f.substring(0, f.length() - 1));
                if (!f.endsWith(";") || !fm.matches()) {
                    throw new IllegalStateException("struct " + m.group(1) + ": cannot read field line '" + f + "'");
                }
                String type = fm.group(1).trim();
                String javaType = type.endsWith("*") ? "ptr" : switch (type) {
                    case "i64", "u64" -> "i64";
                    case "int" -> "i32";
                    case "float" -> "f32";
                    default -> throw new IllegalStateException("struct " + m.group(1) + ": field type '" + type + "' has no Java counterpart");
                };
                fields.add(javaType + " " + fm.group(2) + (fm.group(3) == null ? "" : fm.group(3)));
            }
            out.put(m.group(1), fields);
        }
        return out;
    }

    /** Struct name to the size its ACCEL_STRUCT_SIZE asserts. */
    static Map<String, Integer> declaredSizes() throws IOException {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = SIZE.matcher(all());
        while (m.find()) {
            if (!m.group(1).equals("T")) {
                out.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        return out;
    }

    /** Values of {@code #define PREFIX_NAME value} lines, NAME to value. */
    static Map<String, Integer> defines(String prefix) throws IOException {
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("#define " + prefix + "(\\w+) (\\d+)").matcher(all());
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    /** The names of every {@code extern "C" __global__} kernel in a source. */
    static List<String> entryPoints(String module) throws IOException {
        String src = Files.readString(FOLDER.resolve(module + ".cu"));
        List<String> names = new ArrayList<>();
        Matcher direct = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\) )?+(\\w+)\\(").matcher(src);
        while (direct.find()) {
            if (!direct.group(1).equals(direct.group(1).toUpperCase())) {
                names.add(direct.group(1)); // an all-caps name is a macro parameter, not a kernel
            }
        }
        Matcher floats = Pattern.compile("(?m)^ACCEL_FLOAT_KERNELS\\((\\w+), \\w+\\)").matcher(src);
        while (floats.find()) {
            for (String sfx : List.of("_f32", "_f16", "_bf16")) {
                names.add(floats.group(1) + sfx);
            }
        }
        Matcher hg = Pattern.compile("(?m)^HGEMM_KERNEL\\((\\w+),").matcher(src);
        while (hg.find()) {
            names.add(hg.group(1));
            names.add(hg.group(1) + "_v"); // the vector-copy kernel the macro also defines
        }
        return names;
    }
}
