package io.jreceive.relabel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * One Prometheus relabel rule ({@code model/relabel.Config}), with Prometheus' defaults (action {@code replace},
 * separator {@code ;}, regex {@code (.*)}, replacement {@code $1}) and its validation. The regex is RE2 (re2j),
 * anchored at both ends and in {@code s} mode, exactly as Prometheus compiles it: {@code ^(?s:<regex>)$}.
 *
 * @param sourceLabels the labels whose values, joined by {@code separator}, the action works on
 * @param regex        the anchored pattern; {@code regexText} is what the user wrote
 * @param modulus      for {@code hashmod}
 */
public record RelabelConfig(List<String> sourceLabels, String separator, Pattern regex, String regexText,
                            long modulus, String targetLabel, String replacement, Action action) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String DEFAULT_REGEX = "(.*)";
    static final String DEFAULT_SEPARATOR = ";";
    static final String DEFAULT_REPLACEMENT = "$1";
    /** Prometheus' {@code relabelTarget}: what a target label or labelmap replacement with {@code $} may look like. */
    private static final java.util.regex.Pattern RELABEL_TARGET =
            java.util.regex.Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

    /** Every action of Prometheus 3, named as in the YAML. */
    public enum Action {
        REPLACE, KEEP, DROP, KEEPEQUAL, DROPEQUAL, HASHMOD, LABELMAP, LABELDROP, LABELKEEP, LOWERCASE, UPPERCASE;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Action parse(String s) {
            for (Action a : values()) {
                if (a.yamlName().equals(s.toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown relabel action \"" + s + "\"");
        }
    }

    /** Compiles {@code regex} as Prometheus does: anchored, dot matching newlines. */
    public static Pattern compile(String regex) {
        try {
            return Pattern.compile("^(?s:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid relabel regex \"" + regex + "\": " + e.getMessage());
        }
    }

    /** A rule with Prometheus' defaults for every field not given; validated. */
    public static RelabelConfig of(List<String> sourceLabels, String separator, String regex, long modulus,
                                   String targetLabel, String replacement, Action action) {
        RelabelConfig c = new RelabelConfig(sourceLabels == null ? List.of() : List.copyOf(sourceLabels),
                separator == null ? DEFAULT_SEPARATOR : separator,
                compile(regex == null ? DEFAULT_REGEX : regex), regex == null ? DEFAULT_REGEX : regex, modulus,
                targetLabel == null ? "" : targetLabel, replacement == null ? DEFAULT_REPLACEMENT : replacement,
                action == null ? Action.REPLACE : action);
        c.validate(sourceLabels != null);
        return c;
    }

    /** Parses a YAML list of relabel configs (the {@code --receive.relabel-config(-file)} content). */
    public static List<RelabelConfig> parseList(String yaml) {
        JsonNode root;
        try {
            root = yaml.isBlank() ? null : YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("parsing relabel config YAML: " + e.getOriginalMessage());
        }
        List<RelabelConfig> out = new ArrayList<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return out;
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("relabel config must be a YAML list of relabel rules");
        }
        int i = 0;
        for (JsonNode n : root) {
            try {
                out.add(parse(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("relabel config rule " + i + ": " + e.getMessage());
            }
            i++;
        }
        return out;
    }

    private static RelabelConfig parse(JsonNode n) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("a rule must be a mapping");
        }
        Set<String> known = Set.of("source_labels", "separator", "regex", "modulus", "target_label", "replacement",
                "action");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new IllegalArgumentException("unknown field \"" + f + "\"");
            }
        }
        List<String> sources = null;
        JsonNode s = n.get("source_labels");
        if (s != null && !s.isNull()) {
            if (!s.isArray()) {
                throw new IllegalArgumentException("source_labels must be a list of label names");
            }
            sources = new ArrayList<>();
            for (JsonNode l : s) {
                sources.add(l.asText());
            }
        }
        JsonNode mod = n.get("modulus");
        long modulus = 0;
        if (mod != null && !mod.isNull()) {
            if (!mod.canConvertToLong() || !mod.isIntegralNumber() || mod.longValue() < 0) {
                throw new IllegalArgumentException("modulus must be a non-negative integer");
            }
            modulus = mod.longValue();
        }
        String action = text(n, "action");
        // A `regex:` key with no value is the empty pattern (Prometheus unmarshals it to a nil Regexp and then
        // compiles ""); an absent key is the default (.*).
        String regex = n.has("regex") && n.get("regex").isNull() ? "" : text(n, "regex");
        return of(sources, text(n, "separator"), regex, modulus, text(n, "target_label"),
                text(n, "replacement"), action == null ? null : Action.parse(action));
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(key + " must be a string");
        }
        return v.asText();
    }

    /** Prometheus' {@code Config.Validate}. */
    private void validate(boolean sourcesGiven) {
        Action a = action;
        if (modulus == 0 && a == Action.HASHMOD) {
            throw new IllegalArgumentException("relabel configuration for hashmod requires non-zero modulus");
        }
        boolean needsTarget = a == Action.REPLACE || a == Action.HASHMOD || a == Action.LOWERCASE
                || a == Action.UPPERCASE || a == Action.KEEPEQUAL || a == Action.DROPEQUAL;
        if (needsTarget && targetLabel.isEmpty()) {
            throw new IllegalArgumentException("relabel configuration for " + a.yamlName()
                    + " action requires 'target_label' value");
        }
        boolean dollar = targetLabel.contains("$");
        if (a == Action.REPLACE && ((!dollar && !validLabelName(targetLabel))
                || (dollar && !RELABEL_TARGET.matcher(targetLabel).matches()))) {
            throw invalidTarget(a);
        }
        boolean caseOrEqual = a == Action.LOWERCASE || a == Action.UPPERCASE || a == Action.KEEPEQUAL
                || a == Action.DROPEQUAL;
        if (caseOrEqual && !validLabelName(targetLabel)) {
            throw invalidTarget(a);
        }
        if (caseOrEqual && !replacement.equals(DEFAULT_REPLACEMENT)) {
            throw new IllegalArgumentException("'replacement' can not be set for " + a.yamlName() + " action");
        }
        if (a == Action.LABELMAP && !RELABEL_TARGET.matcher(replacement).matches()) {
            throw new IllegalArgumentException("\"" + replacement + "\" is invalid 'replacement' for "
                    + a.yamlName() + " action");
        }
        if (a == Action.HASHMOD && !validLabelName(targetLabel)) {
            throw invalidTarget(a);
        }
        if ((a == Action.DROPEQUAL || a == Action.KEEPEQUAL) && (!regexText.equals(DEFAULT_REGEX) || modulus != 0
                || !separator.equals(DEFAULT_SEPARATOR) || !replacement.equals(DEFAULT_REPLACEMENT))) {
            throw new IllegalArgumentException(a.yamlName()
                    + " action requires only 'source_labels' and `target_label`, and no other fields");
        }
        if ((a == Action.LABELDROP || a == Action.LABELKEEP) && (sourcesGiven || !targetLabel.isEmpty()
                || modulus != 0 || !separator.equals(DEFAULT_SEPARATOR)
                || !replacement.equals(DEFAULT_REPLACEMENT))) {
            throw new IllegalArgumentException(a.yamlName() + " action requires only 'regex', and no other fields");
        }
    }

    private IllegalArgumentException invalidTarget(Action a) {
        return new IllegalArgumentException("\"" + targetLabel + "\" is invalid 'target_label' for " + a.yamlName()
                + " action");
    }

    /**
     * Whether {@code name} is a valid label name under Prometheus 3's (and Thanos v0.38's) default UTF-8 validation:
     * any non-empty string.
     */
    static boolean validLabelName(String name) {
        return !name.isEmpty();
    }
}
