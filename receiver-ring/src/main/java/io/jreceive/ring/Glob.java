package io.jreceive.ring;

/**
 * Go's {@code path/filepath.Match} on Unix, the matcher of {@code "tenant_matcher_type": "glob"}: {@code *} any run
 * of characters except {@code /}, {@code ?} one such character, {@code [...]} a class with ranges and {@code ^}
 * negation, {@code \} escapes. A malformed pattern is an error (Go's {@code ErrBadPattern}), reported when matched.
 */
final class Glob {
    private Glob() {
    }

    static final class BadPatternException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadPatternException() {
            super("syntax error in pattern");
        }
    }

    /** Whether {@code name} matches {@code pattern} entirely. */
    static boolean match(String pattern, String name) {
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return s.indexOf('/', si) < 0;
                    }
                    validate(p, pi);
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi, s, k)) {
                            return true;
                        }
                        if (k < s.length() && s.charAt(k) == '/') {
                            return false;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length() || s.charAt(si) == '/') {
                        validate(p, pi + 1);
                        return false;
                    }
                    pi++;
                    si++;
                }
                case '[' -> {
                    int end = classEnd(p, pi);
                    if (si >= s.length() || !inClass(p, pi + 1, end, s.charAt(si)) || s.charAt(si) == '/') {
                        validate(p, end + 1);
                        return false;
                    }
                    pi = end + 1;
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 >= p.length()) {
                        throw new BadPatternException();
                    }
                    if (si >= s.length() || s.charAt(si) != p.charAt(pi + 1)) {
                        validate(p, pi + 2);
                        return false;
                    }
                    pi += 2;
                    si++;
                }
                default -> {
                    if (si >= s.length() || s.charAt(si) != c) {
                        validate(p, pi + 1);
                        return false;
                    }
                    pi++;
                    si++;
                }
            }
        }
        return si == s.length();
    }

    /** Go reports a bad pattern even when the name already failed to match: scan the rest for syntax errors. */
    private static void validate(String p, int from) {
        int i = from;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 >= p.length()) {
                    throw new BadPatternException();
                }
                i += 2;
            } else if (c == '[') {
                i = classEnd(p, i) + 1;
            } else {
                i++;
            }
        }
    }

    /** Index of the {@code ]} closing the class opened at {@code open}. */
    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && p.charAt(i) == '^') {
            i++;
        }
        boolean first = true;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == ']' && !first) {
                return i;
            }
            if (c == '\\') {
                i++;
            }
            if (c == '-' && first) {
                throw new BadPatternException();
            }
            first = false;
            i++;
            if (i < p.length() && p.charAt(i) == '-' && i + 1 < p.length() && p.charAt(i + 1) != ']') {
                i += 2;
                if (p.charAt(i - 1) == '\\') {
                    i++;
                }
            }
        }
        throw new BadPatternException();
    }

    private static boolean inClass(String p, int from, int end, char c) {
        int i = from;
        boolean negate = false;
        if (i < end && p.charAt(i) == '^') {
            negate = true;
            i++;
        }
        boolean hit = false;
        while (i < end) {
            char lo = p.charAt(i);
            if (lo == '\\') {
                lo = p.charAt(++i);
            }
            i++;
            char hi = lo;
            if (i < end && p.charAt(i) == '-') {
                hi = p.charAt(++i);
                if (hi == '\\') {
                    hi = p.charAt(++i);
                }
                i++;
            }
            if (lo <= c && c <= hi) {
                hit = true;
            }
        }
        return hit != negate;
    }
}
