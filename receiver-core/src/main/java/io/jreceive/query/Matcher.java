package io.jreceive.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A label matcher with Prometheus semantics: {@code =}, {@code !=}, {@code =~}, {@code !~}. A series without the
 * label is treated as having the empty value, so {@code {a=""}} selects series lacking {@code a} and
 * {@code {a!=""}} requires it. Regexes are RE2 syntax, fully anchored and with {@code .} matching newlines
 * ({@code ^(?s:re)$}, as Prometheus compiles them). A regex that is a plain literal, or an alternation of plain
 * literals ({@code a|b|c}), is matched by comparing bytes and exposes its {@link #setValues() values}, so postings
 * can be looked up directly instead of scanning every value of the label.
 */
public final class Matcher {
    /** The four matcher kinds, in the order of the Thanos {@code LabelMatcher.Type} enum. */
    public enum Type {
        EQ("="), NEQ("!="), RE("=~"), NRE("!~");

        private final String op;

        Type(String op) {
            this.op = op;
        }

        public boolean negative() {
            return this == NEQ || this == NRE;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final byte[] nameBytes;
    private final byte[] valueBytes;
    /** Literal alternatives of a regex (sorted, unique), or null when it needs the regex engine. */
    private final byte[][] literals;
    private final Pattern pattern;
    private final boolean matchesEmpty;

    private Matcher(Type type, String name, String value) {
        this.type = type;
        this.name = name;
        this.value = value;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.valueBytes = value.getBytes(StandardCharsets.UTF_8);
        if (type == Type.RE || type == Type.NRE) {
            this.literals = literalAlternatives(value);
            this.pattern = literals == null ? compile(value) : null;
        } else {
            this.literals = null;
            this.pattern = null;
        }
        this.matchesEmpty = matches(new byte[0]);
    }

    /**
     * A matcher; throws {@link IllegalArgumentException} naming the regex when it does not compile.
     */
    public static Matcher of(Type type, String name, String value) {
        return new Matcher(type, name, value);
    }

    public static Matcher eq(String name, String value) {
        return new Matcher(Type.EQ, name, value);
    }

    public static Matcher neq(String name, String value) {
        return new Matcher(Type.NEQ, name, value);
    }

    public static Matcher re(String name, String value) {
        return new Matcher(Type.RE, name, value);
    }

    public static Matcher nre(String name, String value) {
        return new Matcher(Type.NRE, name, value);
    }

    private static Pattern compile(String re) {
        try {
            return Pattern.compile("^(?s:" + re + ")$");
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regex " + re + ": " + e.getMessage(), e);
        }
    }

    /** The alternatives of {@code a|b|c} when each is free of regex syntax; null otherwise. */
    private static byte[][] literalAlternatives(String re) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= re.length(); i++) {
            if (i == re.length() || re.charAt(i) == '|') {
                out.add(re.substring(start, i).getBytes(StandardCharsets.UTF_8));
                start = i + 1;
            } else if ("\\.+*?()[]{}^$".indexOf(re.charAt(i)) >= 0) {
                return null;
            }
        }
        out.sort(Arrays::compareUnsigned);
        List<byte[]> unique = new ArrayList<>();
        for (byte[] v : out) {
            if (unique.isEmpty() || !Arrays.equals(unique.get(unique.size() - 1), v)) {
                unique.add(v);
            }
        }
        return unique.toArray(new byte[0][]);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    public byte[] nameBytes() {
        return nameBytes;
    }

    /** Whether a series lacking the label (empty value) is selected. */
    public boolean matchesEmpty() {
        return matchesEmpty;
    }

    /**
     * For {@code =} and for {@code =~} with literal alternatives: the only values that match, sorted ascending
     * unsigned; null for every other matcher.
     */
    public byte[][] setValues() {
        if (type == Type.EQ) {
            return new byte[][] {valueBytes};
        }
        return type == Type.RE ? literals : null;
    }

    /** Whether a label value (UTF-8) satisfies the matcher. */
    public boolean matches(byte[] v) {
        return switch (type) {
            case EQ -> Arrays.equals(v, valueBytes);
            case NEQ -> !Arrays.equals(v, valueBytes);
            case RE -> regexMatches(v);
            case NRE -> !regexMatches(v);
        };
    }

    public boolean matches(String v) {
        return matches(v.getBytes(StandardCharsets.UTF_8));
    }

    private boolean regexMatches(byte[] v) {
        if (literals != null) {
            return Arrays.binarySearch(literals, v, Arrays::compareUnsigned) >= 0;
        }
        return pattern.matcher(v).matches();
    }

    /** The matcher selecting exactly the values this one rejects ({@code =} ↔ {@code !=}, {@code =~} ↔ {@code !~}). */
    public Matcher inverse() {
        return new Matcher(switch (type) {
            case EQ -> Type.NEQ;
            case NEQ -> Type.EQ;
            case RE -> Type.NRE;
            case NRE -> Type.RE;
        }, name, value);
    }

    @Override
    public String toString() {
        return name + type.op + "\"" + value + "\"";
    }
}
