package io.jreceive.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The vector selectors of a PromQL expression, as Prometheus' {@code parser.ExtractSelectors} returns them: one
 * matcher list per selector, the metric name as a {@code __name__} equality matcher first. Thanos' Exemplars API
 * sends a PromQL query and the server selects exemplars by its selectors; nothing else of the expression matters,
 * so this is a scanner that finds selectors, not a full parser: function and aggregation calls, grouping label
 * lists ({@code by (a, b)}), range and subquery brackets, strings, numbers, durations and operators are passed over.
 * A selector whose every matcher matches the empty string, an unterminated string or brace, or a malformed matcher
 * is an {@link IllegalArgumentException}, as in Prometheus' parser.
 */
public final class PromqlSelectors {
    /** Aggregation operators: a name among them starts an aggregation, never a selector. */
    private static final Set<String> AGGREGATIONS = Set.of("sum", "avg", "count", "min", "max", "group", "stddev",
            "stdvar", "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio");
    /** Keywords followed by a parenthesised label list. */
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    /** Other keywords (set operators, modifiers, number literals). */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf",
            "nan");

    private final String q;
    private int pos;

    private PromqlSelectors(String q) {
        this.q = q;
    }

    /** The selectors of {@code query}, in order of appearance. */
    public static List<List<Matcher>> extract(String query) {
        return new PromqlSelectors(query).scan();
    }

    private List<List<Matcher>> scan() {
        List<List<Matcher>> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (pos >= q.length()) {
                return out;
            }
            char c = q.charAt(pos);
            if (c == '"' || c == '\'' || c == '`') {
                string();
            } else if (c == '[') {
                int end = q.indexOf(']', pos);
                if (end < 0) {
                    throw error("unclosed left bracket");
                }
                pos = end + 1;
            } else if (c == '{') {
                out.add(selector(null));
            } else if (identStart(c)) {
                String ident = ident();
                String lower = ident.toLowerCase(Locale.ROOT);
                skipSpace();
                boolean call = pos < q.length() && q.charAt(pos) == '(';
                if (GROUPING.contains(lower)) {
                    if (call) {
                        int end = q.indexOf(')', pos);
                        if (end < 0) {
                            throw error("unclosed left parenthesis");
                        }
                        pos = end + 1;
                    }
                } else if (!call && !AGGREGATIONS.contains(lower) && !KEYWORDS.contains(lower)) {
                    out.add(selector(ident));
                }
            } else if (Character.isDigit(c) || c == '.') {
                while (pos < q.length() && (Character.isLetterOrDigit(q.charAt(pos)) || q.charAt(pos) == '.')) {
                    pos++;
                }
            } else {
                pos++;
            }
        }
    }

    /** A selector: the metric name (or null) and, when a brace follows, its matchers. */
    private List<Matcher> selector(String name) {
        List<Matcher> ms = new ArrayList<>();
        if (name != null) {
            ms.add(Matcher.eq("__name__", name));
        }
        skipSpace();
        if (pos < q.length() && q.charAt(pos) == '{') {
            pos++;
            matchers(ms, name != null);
        }
        boolean nonEmpty = false;
        for (Matcher m : ms) {
            nonEmpty |= !m.matchesEmpty();
        }
        if (!nonEmpty) {
            throw error("vector selector must contain at least one non-empty matcher");
        }
        return ms;
    }

    private void matchers(List<Matcher> ms, boolean named) {
        while (true) {
            skipSpace();
            if (pos >= q.length()) {
                throw error("unexpected end of input inside braces");
            }
            char c = q.charAt(pos);
            if (c == '}') {
                pos++;
                return;
            }
            String label;
            boolean quoted = c == '"' || c == '\'' || c == '`';
            if (quoted) {
                label = string();
            } else if (identStart(c)) {
                label = ident();
            } else {
                throw error("unexpected character inside braces: '" + c + "'");
            }
            skipSpace();
            if (quoted && pos < q.length() && (q.charAt(pos) == ',' || q.charAt(pos) == '}')) {
                if (named) {
                    throw error("metric name must not be set twice");
                }
                ms.add(0, Matcher.eq("__name__", label)); // {"a.metric.name"}
                named = true;
            } else {
                Matcher.Type type = op();
                skipSpace();
                if (pos >= q.length() || "\"'`".indexOf(q.charAt(pos)) < 0) {
                    throw error("expected a string after the matcher of " + label);
                }
                String value = string();
                try {
                    ms.add(Matcher.of(type, label, value));
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage());
                }
            }
            skipSpace();
            if (pos < q.length() && q.charAt(pos) == ',') {
                pos++;
            }
        }
    }

    private Matcher.Type op() {
        if (q.startsWith("=~", pos)) {
            pos += 2;
            return Matcher.Type.RE;
        }
        if (q.startsWith("!~", pos)) {
            pos += 2;
            return Matcher.Type.NRE;
        }
        if (q.startsWith("!=", pos)) {
            pos += 2;
            return Matcher.Type.NEQ;
        }
        if (q.startsWith("=", pos)) {
            pos += 1;
            return Matcher.Type.EQ;
        }
        throw error("expected a label matching operator");
    }

    private static boolean identStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':';
    }

    private String ident() {
        int from = pos;
        while (pos < q.length()) {
            char c = q.charAt(pos);
            if (!(identStart(c) || c >= '0' && c <= '9')) {
                break;
            }
            pos++;
        }
        return q.substring(from, pos);
    }

    private void skipSpace() {
        while (pos < q.length()) {
            char c = q.charAt(pos);
            if (c == '#') {
                while (pos < q.length() && q.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    /** A string literal at {@code pos}: Go's escapes in double and single quotes, none in backquotes. */
    private String string() {
        final char quote = q.charAt(pos++);
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= q.length()) {
                throw error("unterminated quoted string");
            }
            char c = q.charAt(pos++);
            if (c == quote) {
                return b.toString();
            }
            if (c != '\\' || quote == '`') {
                b.append(c);
                continue;
            }
            if (pos >= q.length()) {
                throw error("unterminated quoted string");
            }
            char e = q.charAt(pos++);
            switch (e) {
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case '\\', '"', '\'' -> b.append(e);
                case 'x' -> b.append(utf8Byte(hex(2)));
                case 'u' -> b.appendCodePoint(hex(4));
                case 'U' -> b.appendCodePoint(hex(8));
                default -> {
                    if (e >= '0' && e <= '7') {
                        pos--;
                        b.append(utf8Byte(octal()));
                    } else {
                        throw error("unknown escape sequence \\" + e);
                    }
                }
            }
        }
    }

    /**
     * A {@code \xHH} or octal byte escape: Go strings are bytes, Java ones characters; a byte below 0x80 is its
     * character, a higher one cannot stand alone in a valid UTF-8 label and is kept as U+FFFD.
     */
    private static String utf8Byte(int b) {
        return b < 0x80 ? String.valueOf((char) b) : new String(new byte[] {(byte) b}, StandardCharsets.UTF_8);
    }

    private int hex(int digits) {
        if (pos + digits > q.length()) {
            throw error("unterminated escape sequence");
        }
        try {
            int v = Integer.parseUnsignedInt(q.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw error("invalid escape sequence");
        }
    }

    private int octal() {
        if (pos + 3 > q.length()) {
            throw error("unterminated escape sequence");
        }
        try {
            int v = Integer.parseInt(q.substring(pos, pos + 3), 8);
            pos += 3;
            return v;
        } catch (NumberFormatException e) {
            throw error("invalid escape sequence");
        }
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException("parse error at char " + (pos + 1) + ": " + msg);
    }
}
