package io.jreceive.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Both sides of the dashboard check: what the Grafana dashboard asks for (metric names and literal label matchers
 * in every PromQL expression and template-variable query) and what a {@code /metrics} page in the Prometheus text
 * format offers (sample names with the label names seen on each).
 */
final class DeploymentMetrics {
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(.+?)\\s*,\\s*\\w+\\s*\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

    private DeploymentMetrics() {
    }

    /**
     * One vector selector of the dashboard: the metric name, the label names of its matchers with a literal
     * (non-$) value, and of those the {@code name="value"} equality matchers.
     */
    record Selector(String metric, Set<String> literalLabels, Set<String> equalities, String expr) {
    }

    /** A sample name on {@code /metrics}: the label names it carries and every {@code name="value"} pair seen. */
    record Exported(Set<String> labels, Set<String> pairs) {
    }

    /** Every PromQL expression of the dashboard: panel targets (nested rows too) and template-variable queries. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        collectTargets(dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (!"query".equals(v.path("type").asText())) {
                continue;
            }
            JsonNode q = v.path("query");
            String s = q.isObject() ? q.path("query").asText() : q.asText();
            Matcher m = LABEL_VALUES.matcher(s);
            if (m.matches()) {
                out.add(m.group(1));
            } else if (!s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    private static void collectTargets(JsonNode panels, List<String> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                String e = t.path("expr").asText("");
                if (!e.isBlank()) {
                    out.add(e);
                }
            }
            collectTargets(p.path("panels"), out);
        }
    }

    /** The vector selectors of one PromQL expression: identifiers that are neither functions nor keywords. */
    static List<Selector> selectors(String expr) {
        // Drop range and subquery brackets ([5m], [$__rate_interval]) and grouping label lists.
        String s = expr.replaceAll("\\[[^\\]]*\\]", " ");
        s = GROUPING.matcher(s).replaceAll(" ");
        List<Selector> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                i = s.indexOf('"', i + 1) + 1;
                if (i == 0) {
                    break;
                }
                continue;
            }
            if (c == '{') {
                // A selector without a name ({__name__=...}) is not used by this dashboard; skip its matchers.
                i = s.indexOf('}', i) + 1;
                continue;
            }
            Matcher m = IDENT.matcher(s);
            if (!Character.isDigit(c) && m.find(i) && m.start() == i && (i == 0 || !isIdentPart(s.charAt(i - 1)))) {
                String name = m.group();
                int j = m.end();
                while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                boolean function = j < s.length() && s.charAt(j) == '(';
                Set<String> labels = new TreeSet<>();
                Set<String> equalities = new TreeSet<>();
                int next = m.end();
                if (j < s.length() && s.charAt(j) == '{') {
                    int close = s.indexOf('}', j);
                    Matcher mm = MATCHER.matcher(s.substring(j + 1, close));
                    while (mm.find()) {
                        if (!mm.group(3).contains("$")) {
                            labels.add(mm.group(1));
                            if (mm.group(2).equals("=")) {
                                equalities.add(mm.group(1) + "=\"" + mm.group(3) + "\"");
                            }
                        }
                    }
                    next = close + 1;
                }
                if (!function && !KEYWORDS.contains(name)) {
                    out.add(new Selector(name, labels, equalities, expr));
                }
                i = next;
                continue;
            }
            i++;
        }
        return out;
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }

    /** Sample names of a Prometheus text exposition, each with the label names and pairs it carries. */
    static Map<String, Exported> parseExposition(String text) {
        Map<String, Exported> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            String name = line.substring(0, end);
            Exported e = out.computeIfAbsent(name, k -> new Exported(new LinkedHashSet<>(), new LinkedHashSet<>()));
            if (end == brace) {
                int i = brace + 1;
                while (i < line.length() && line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String label = line.substring(i, eq).trim();
                    int q = eq + 2;
                    while (line.charAt(q) != '"') {
                        q += line.charAt(q) == '\\' ? 2 : 1;
                    }
                    e.labels().add(label);
                    e.pairs().add(label + "=" + line.substring(eq + 1, q + 1));
                    i = q + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
            }
        }
        return out;
    }

    /** Selectors grouped by metric name, in dashboard order. */
    static Map<String, List<Selector>> byMetric(List<String> expressions) {
        Map<String, List<Selector>> out = new LinkedHashMap<>();
        for (String e : expressions) {
            for (Selector s : selectors(e)) {
                out.computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(s);
            }
        }
        return out;
    }
}
