package io.jreceive.app;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Thanos flags write them (Prometheus {@code model.Duration}): a sequence of number+unit pairs with
 * units {@code y w d h m s ms}, e.g. {@code 2h}, {@code 15d}, {@code 1m30s}, {@code 0d}, {@code 500ms}. Returned in
 * milliseconds. Anything else is rejected with a message naming the value.
 */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|y|w|d|h|m|s)");

    private GoDuration() {
    }

    static long parseMillis(String s) {
        String v = s.trim();
        if (v.equals("0")) {
            return 0;
        }
        Matcher m = PART.matcher(v);
        long total = 0;
        int pos = 0;
        while (pos < v.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
            }
            long n = Long.parseLong(m.group(1));
            total = Math.addExact(total, Math.multiplyExact(n, unit(m.group(2))));
            pos = m.end();
        }
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty duration string");
        }
        return total;
    }

    private static long unit(String u) {
        return switch (u) {
            case "ms" -> 1L;
            case "s" -> 1000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            case "w" -> 7 * 86_400_000L;
            case "y" -> 365 * 86_400_000L;
            default -> throw new IllegalArgumentException("unknown unit " + u);
        };
    }
}
