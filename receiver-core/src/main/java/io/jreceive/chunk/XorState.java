package io.jreceive.chunk;

/**
 * One Gorilla-XOR encoded value of a histogram chunk (the sum, or in float histogram chunks every count) with the
 * leading/trailing zero window of its last change, as Prometheus' {@code xorValue}.
 */
final class XorState {
    long bits;
    int leading;
    int trailing;

    XorState(long bits, int leading) {
        this.bits = bits;
        this.leading = leading;
    }

    double value() {
        return Double.longBitsToDouble(bits);
    }
}
