package io.jreceive.labels;

/** Strict UTF-8 validation over a byte range (no overlongs, no surrogates, nothing above U+10FFFF). */
public final class Utf8 {
    private Utf8() {
    }

    public static boolean isValid(byte[] b, int off, int len) {
        int i = off;
        final int end = off + len;
        while (i < end && b[i] >= 0) {
            i++;
        }
        while (i < end) {
            int c = b[i++] & 0xFF;
            if (c < 0x80) {
                continue;
            }
            if (c < 0xC2) {
                return false;
            } else if (c < 0xE0) {
                if (i >= end || (b[i++] & 0xC0) != 0x80) {
                    return false;
                }
            } else if (c < 0xF0) {
                if (end - i < 2) {
                    return false;
                }
                int c1 = b[i++] & 0xFF;
                int c2 = b[i++] & 0xFF;
                if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80
                        || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) {
                    return false;
                }
            } else if (c < 0xF5) {
                if (end - i < 3) {
                    return false;
                }
                int c1 = b[i++] & 0xFF;
                int c2 = b[i++] & 0xFF;
                int c3 = b[i++] & 0xFF;
                if ((c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80 || (c3 & 0xC0) != 0x80
                        || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }
}
