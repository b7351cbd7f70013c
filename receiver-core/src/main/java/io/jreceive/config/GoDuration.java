package io.jreceive.config;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses durations written the way Go configuration files write them: a sequence of decimal numbers, each with a
 * unit, such as {@code 90s}, {@code 1m30s}, {@code 2m}, {@code 1.5h} or {@code 300ms}. Units are those of Go's
 * {@code time.ParseDuration} ({@code ns}, {@code us}, {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}) plus
 * those of Prometheus' {@code model.Duration} ({@code d}, {@code w}, {@code y} = 365 days), so both kinds of Thanos
 * setting parse. A bare {@code 0} is zero; negative durations are rejected.
 */
public final class GoDuration {
    private GoDuration() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the text when it is not a duration
     */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        long nanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (i == start) {
                throw invalid(text);
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unit = unitNanos(s.substring(unitStart, i), text);
            try {
                nanos = Math.addExact(nanos, number.multiply(BigDecimal.valueOf(unit)).longValueExact());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range or below a nanosecond: \"" + text + "\"");
            }
        }
        return Duration.ofNanos(nanos);
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            case "w" -> 7 * 86_400_000_000_000L;
            case "y" -> 365 * 86_400_000_000_000L;
            case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"");
    }
}
