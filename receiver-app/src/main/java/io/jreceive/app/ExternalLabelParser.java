package io.jreceive.app;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Parses {@code --label key="value"} as Thanos does: the value is a Go-quoted string ({@code strconv.Unquote}:
 * double quotes with Go escapes, or back quotes taken literally), the name a valid Prometheus label name.
 */
final class ExternalLabelParser {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private ExternalLabelParser() {
    }

    static Map<String, String> parse(Iterable<String> flags) {
        Map<String, String> out = new TreeMap<>();
        for (String f : flags) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("unrecognized label \"" + f + "\": expected key=\"value\"");
            }
            String name = f.substring(0, eq);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("unsupported format for label " + f + ": invalid label name");
            }
            out.put(name, unquote(f.substring(eq + 1), f));
        }
        return out;
    }

    /** Go {@code strconv.Unquote} for double- and back-quoted strings. */
    static String unquote(String q, String flag) {
        if (q.length() >= 2 && q.startsWith("`") && q.endsWith("`")) {
            return q.substring(1, q.length() - 1);
        }
        if (q.length() < 2 || !q.startsWith("\"") || !q.endsWith("\"")) {
            throw new IllegalArgumentException("unsupported format for label " + flag
                    + ": value must be a quoted string, e.g. key=\"value\"");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c == '"') {
                throw new IllegalArgumentException("unsupported format for label " + flag + ": unescaped quote");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= q.length() - 1) {
                throw new IllegalArgumentException("unsupported format for label " + flag + ": dangling escape");
            }
            char e = q.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case '\\', '"', '\'' -> sb.append(e);
                case 'x' -> {
                    sb.append((char) Integer.parseInt(q.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    sb.append((char) Integer.parseInt(q.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    sb.appendCodePoint(Integer.parseInt(q.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> throw new IllegalArgumentException("unsupported format for label " + flag
                        + ": unknown escape \\" + e);
            }
        }
        return sb.toString();
    }
}
