package dev.accel.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small hand-written parser for one command's arguments. Options are long only: {@code --name},
 * {@code --name VALUE} or {@code --name=VALUE}; {@code --help} and {@code -h} are always known;
 * {@code --} ends the options. Every error is a {@link UsageException} that names the argument.
 */
final class ArgParser {
    private final String command;
    /** Option name (without dashes) to the placeholder of its value, or null for a flag. */
    private final Map<String, String> known = new LinkedHashMap<>();
    private String positionalName;

    /** A parser for {@code accel <command>}. */
    ArgParser(String command) {
        this.command = command;
    }

    /** Declares a flag {@code --name} that takes no value. */
    ArgParser flag(String name) {
        known.put(name, null);
        return this;
    }

    /** Declares an option {@code --name VALUE}; {@code placeholder} names the value in messages ("DIR"). */
    ArgParser option(String name, String placeholder) {
        known.put(name, placeholder);
        return this;
    }

    /** Allows positional arguments, named {@code name} in messages; by default none are allowed. */
    ArgParser positionals(String name) {
        this.positionalName = name;
        return this;
    }

    /** Parses {@code args}; a request for help anywhere before {@code --} wins over every error. */
    Parsed parse(List<String> args) {
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--help") || a.equals("-h")) {
                return new Parsed(command, Map.of(), Set.of(), List.of(), true);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flags = new LinkedHashSet<>();
        List<String> positionals = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnded || !a.startsWith("-") || a.equals("-") || isNumber(a)) {
                positional(a, positionals);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unknown option '" + a + "' for 'accel " + command + "': options are long, "
                        + knownList());
            }
            int eq = a.indexOf('=');
            String name = a.substring(2, eq < 0 ? a.length() : eq);
            if (!known.containsKey(name)) {
                throw new UsageException("unknown option '--" + name + "' for 'accel " + command + "'; " + knownList());
            }
            String placeholder = known.get(name);
            if (placeholder == null) {
                if (eq >= 0) {
                    throw new UsageException("option '--" + name + "' takes no value, got '" + a + "'");
                }
                if (!flags.add(name)) {
                    throw new UsageException("option '--" + name + "' given twice");
                }
                continue;
            }
            String value;
            if (eq >= 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
            } else {
                throw new UsageException("option '--" + name + "' needs a value: --" + name + " " + placeholder);
            }
            if (value.isEmpty()) {
                throw new UsageException("option '--" + name + "' has an empty value; expected --" + name + " " + placeholder);
            }
            String before = values.putIfAbsent(name, value);
            if (before != null) {
                throw new UsageException("option '--" + name + "' given twice ('" + before + "' and '" + value + "')");
            }
        }
        return new Parsed(command, values, flags, positionals, false);
    }

    private void positional(String a, List<String> positionals) {
        if (positionalName == null) {
            throw new UsageException("unexpected argument '" + a + "' for 'accel " + command
                    + "', which takes no positional arguments; " + knownList());
        }
        positionals.add(a);
    }

    private String knownList() {
        List<String> names = new ArrayList<>();
        known.forEach((n, p) -> names.add(p == null ? "--" + n : "--" + n + " " + p));
        names.add("--help");
        return "known options: " + String.join(", ", names);
    }

    private static boolean isNumber(String s) {
        return s.matches("-[0-9]+(\\.[0-9]*)?");
    }

    /**
     * The result of parsing.
     *
     * @param command the command the arguments belong to, for messages
     * @param values options given with a value, by name
     * @param flags flags given
     * @param positionals the other arguments, in order
     * @param help true when {@code --help} or {@code -h} was given
     */
    record Parsed(String command, Map<String, String> values, Set<String> flags, List<String> positionals, boolean help) {
        Parsed {
            values = Map.copyOf(values);
            flags = Set.copyOf(flags);
            positionals = List.copyOf(positionals);
        }

        boolean flag(String name) {
            return flags.contains(name);
        }

        /** The option's value, or {@code fallback} when it was not given. */
        String value(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        /** The option's value as an integer in {@code [min, max]}, or {@code fallback} when absent. */
        int intValue(String name, int fallback, int min, int max) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            long n;
            try {
                n = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                n = Long.MIN_VALUE;
            }
            if (n < min || n > max) {
                throw new UsageException("option '--" + name + "' must be an integer from " + min + " to " + max
                        + ", got '" + v + "'");
            }
            return (int) n;
        }

        /** The option's value as a long, or {@code fallback} when absent. */
        long longValue(String name, long fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("option '--" + name + "' must be an integer, got '" + v + "'");
            }
        }
    }
}
