package io.jreceive.shipper;

/**
 * Recognises block directory names: a ULID is 26 characters of Crockford base32 ({@code 0-9}, {@code A-Z} without
 * {@code I}, {@code L}, {@code O}, {@code U}; either case), the first at most {@code 7} so the 128 bits do not
 * overflow. Names such as {@code <ULID>.tmp-for-creation} or {@code wal} are not ULIDs.
 */
final class Ulid {
    /** Length of a ULID in characters. */
    static final int LENGTH = 26;

    private Ulid() {
    }

    static boolean valid(CharSequence s) {
        if (s.length() != LENGTH || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = Character.toUpperCase(s.charAt(i));
            boolean digit = c >= '0' && c <= '9';
            boolean letter = c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U';
            if (!digit && !letter) {
                return false;
            }
        }
        return true;
    }
}
