package io.jreceive.config;

import java.util.Map;

/**
 * A byte size in the forms Thanos' flags take (kingpin's {@code BytesVar}, alecthomas/units
 * {@code ParseBase2Bytes}): one or more {@code <number><unit>} terms such as {@code 154785B}, {@code 512MiB},
 * {@code 1GB} or {@code 1.5GB512MB}, all units powers of two ({@code KB} = {@code KiB} = 1024). A unit is required;
 * only a bare {@code 0} stands alone.
 */
public final class ByteSize {
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("B", 1L),
            Map.entry("KB", 1L << 10), Map.entry("KiB", 1L << 10),
            Map.entry("MB", 1L << 20), Map.entry("MiB", 1L << 20),
            Map.entry("GB", 1L << 30), Map.entry("GiB", 1L << 30),
            Map.entry("TB", 1L << 40), Map.entry("TiB", 1L << 40),
            Map.entry("PB", 1L << 50), Map.entry("PiB", 1L << 50),
            Map.entry("EB", 1L << 60), Map.entry("EiB", 1L << 60));

    private ByteSize() {
    }

    /** Parses {@code s}; throws {@link IllegalArgumentException} naming the text when it is not a byte size. */
    public static long parse(String s) {
        String t = s.trim();
        if (t.equals("0")) {
            return 0;
        }
        double total = 0;
        int i = 0;
        if (t.isEmpty()) {
            throw invalid(s);
        }
        while (i < t.length()) {
            int numStart = i;
            while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
                i++;
            }
            if (i == numStart) {
                throw invalid(s);
            }
            double n;
            try {
                n = Double.parseDouble(t.substring(numStart, i));
            } catch (NumberFormatException e) {
                throw invalid(s);
            }
            int unitStart = i;
            while (i < t.length() && !Character.isDigit(t.charAt(i)) && t.charAt(i) != '.') {
                i++;
            }
            Long unit = UNITS.get(t.substring(unitStart, i));
            if (unit == null) {
                throw new IllegalArgumentException("invalid byte size \"" + s + "\": unknown unit \""
                        + t.substring(unitStart, i) + "\" (a unit is required: B, KB, MB, GB, TB, PB, EB or KiB, ...)");
            }
            total += n * unit;
        }
        if (total > Long.MAX_VALUE) {
            throw new IllegalArgumentException("invalid byte size \"" + s + "\": overflow");
        }
        return (long) total;
    }

    private static IllegalArgumentException invalid(String s) {
        return new IllegalArgumentException("invalid byte size \"" + s + "\" (expected e.g. 154785B, 512MiB, 1GB)");
    }
}
