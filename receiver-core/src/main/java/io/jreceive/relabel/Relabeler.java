package io.jreceive.relabel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.google.re2j.Matcher;

/**
 * Applies a list of relabel rules to one label set, as Prometheus' {@code relabel.ProcessBuilder}: rules run in
 * order on a builder (a sorted map; setting an empty value deletes the label) and the first rule that drops the set
 * ends processing. Replacement templates are expanded as Go's {@code regexp.Expand}: {@code $1}, {@code ${1}},
 * {@code $name}, {@code ${name}}, {@code $$} for a dollar; an unknown group expands to nothing.
 */
public final class Relabeler {
    private final List<RelabelConfig> rules;

    public Relabeler(List<RelabelConfig> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<RelabelConfig> rules() {
        return rules;
    }

    /** Relabels {@code labels} in place; false when the set is dropped. */
    public boolean process(TreeMap<String, String> labels) {
        for (RelabelConfig c : rules) {
            if (!apply(c, labels)) {
                return false;
            }
        }
        return true;
    }

    private static boolean apply(RelabelConfig c, TreeMap<String, String> lb) {
        String val = sourceValue(c, lb);
        switch (c.action()) {
            case DROP:
                return !c.regex().matches(val);
            case KEEP:
                return c.regex().matches(val);
            case DROPEQUAL:
                return !lb.getOrDefault(c.targetLabel(), "").equals(val);
            case KEEPEQUAL:
                return lb.getOrDefault(c.targetLabel(), "").equals(val);
            case REPLACE:
                replace(c, lb, val);
                return true;
            case LOWERCASE:
                set(lb, c.targetLabel(), val.toLowerCase(Locale.ROOT));
                return true;
            case UPPERCASE:
                set(lb, c.targetLabel(), val.toUpperCase(Locale.ROOT));
                return true;
            case HASHMOD:
                set(lb, c.targetLabel(), Long.toUnsignedString(Long.remainderUnsigned(md5Tail(val), c.modulus())));
                return true;
            case LABELMAP:
                for (Map.Entry<String, String> e : new ArrayList<>(lb.entrySet())) {
                    Matcher m = c.regex().matcher(e.getKey());
                    if (m.matches()) {
                        set(lb, expand(c.replacement(), m, e.getKey()), e.getValue());
                    }
                }
                return true;
            case LABELDROP:
                lb.keySet().removeIf(name -> c.regex().matches(name));
                return true;
            case LABELKEEP:
                lb.keySet().removeIf(name -> !c.regex().matches(name));
                return true;
            default:
                throw new IllegalStateException("unknown relabel action " + c.action());
        }
    }

    private static String sourceValue(RelabelConfig c, TreeMap<String, String> lb) {
        List<String> sources = c.sourceLabels();
        if (sources.size() == 1) {
            return lb.getOrDefault(sources.get(0), "");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            if (i > 0) {
                sb.append(c.separator());
            }
            sb.append(lb.getOrDefault(sources.get(i), ""));
        }
        return sb.toString();
    }

    private static void replace(RelabelConfig c, TreeMap<String, String> lb, String val) {
        // Prometheus' fast path: an empty source with the default regex sets (or deletes) the target verbatim.
        if (val.isEmpty() && c.regexText().equals(RelabelConfig.DEFAULT_REGEX) && !c.targetLabel().contains("$")
                && !c.replacement().contains("$")) {
            set(lb, c.targetLabel(), c.replacement());
            return;
        }
        Matcher m = c.regex().matcher(val);
        if (!m.matches()) {
            return;
        }
        String target = expand(c.targetLabel(), m, val);
        if (!RelabelConfig.validLabelName(target)) {
            return;
        }
        String res = expand(c.replacement(), m, val);
        if (res.isEmpty()) {
            lb.remove(target);
        } else {
            lb.put(target, res);
        }
    }

    /** Builder semantics: an empty value deletes the label. */
    private static void set(TreeMap<String, String> lb, String name, String value) {
        if (value.isEmpty()) {
            lb.remove(name);
        } else {
            lb.put(name, value);
        }
    }

    /** Go's {@code regexp.Expand} of {@code template} with the groups of a successful match {@code m} on {@code src}. */
    static String expand(String template, Matcher m, String src) {
        if (template.indexOf('$') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = template.length();
        while (i < n) {
            int d = template.indexOf('$', i);
            if (d < 0) {
                out.append(template, i, n);
                break;
            }
            out.append(template, i, d);
            i = d + 1;
            if (i < n && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            boolean brace = i < n && template.charAt(i) == '{';
            int nameStart = brace ? i + 1 : i;
            int j = nameStart;
            while (j < n) {
                int cp = template.codePointAt(j);
                if (!Character.isLetterOrDigit(cp) && cp != '_') {
                    break;
                }
                j += Character.charCount(cp);
            }
            if (j == nameStart || (brace && (j >= n || template.charAt(j) != '}'))) {
                out.append('$');
                continue;
            }
            String name = template.substring(nameStart, j);
            i = brace ? j + 1 : j;
            int num = groupNumber(name);
            if (num >= 0) {
                if (num <= m.groupCount() && m.start(num) >= 0) {
                    out.append(src, m.start(num), m.end(num));
                }
            } else {
                Integer g = m.pattern().namedGroups().get(name);
                if (g != null && m.start(g) >= 0) {
                    out.append(src, m.start(g), m.end(g));
                }
            }
        }
        return out.toString();
    }

    /** The group number {@code name} stands for, or -1 when it is a name (leading zeros make it a name, as Go). */
    private static int groupNumber(String name) {
        if (name.length() > 1 && name.charAt(0) == '0') {
            return -1;
        }
        int num = 0;
        for (int k = 0; k < name.length(); k++) {
            char ch = name.charAt(k);
            if (ch < '0' || ch > '9' || num >= 100_000_000) {
                return -1;
            }
            num = num * 10 + (ch - '0');
        }
        return num;
    }

    /** The last 8 bytes of the MD5 of {@code val}, big-endian, as Prometheus' hashmod takes them. */
    private static long md5Tail(String val) {
        try {
            byte[] h = MessageDigest.getInstance("MD5").digest(val.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int k = 8; k < 16; k++) {
                v = (v << 8) | (h[k] & 0xFF);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    }
}
