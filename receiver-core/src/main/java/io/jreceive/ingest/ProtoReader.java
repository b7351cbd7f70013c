package io.jreceive.ingest;

/**
 * A protobuf wire-format cursor over a byte array, for walking remote-write requests without building message
 * objects. It knows only the four wire types (varint, fixed64, length-delimited, fixed32); the decoders know the
 * field numbers. Malformed input throws {@link DecodeException} with the offset.
 */
final class ProtoReader {
    static final int WIRE_VARINT = 0;
    static final int WIRE_FIXED64 = 1;
    static final int WIRE_LEN = 2;
    static final int WIRE_FIXED32 = 5;

    byte[] buf;
    int pos;
    int limit;

    void reset(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.limit = to;
    }

    boolean hasMore() {
        return pos < limit;
    }

    /** Reads a field key; returns it whole ({@code field << 3 | wireType}). */
    int tag() {
        long k = varint();
        if (k <= 0 || k > Integer.MAX_VALUE || (k >>> 3) == 0) {
            throw new DecodeException("proto: illegal tag " + k + " at offset " + pos);
        }
        return (int) k;
    }

    long varint() {
        final byte[] b = buf;
        int p = pos;
        if (p < limit && b[p] >= 0) {
            // One byte: nearly every tag and length of a remote-write request.
            pos = p + 1;
            return b[p];
        }
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= limit) {
                throw new DecodeException("proto: unexpected EOF in varint at offset " + p);
            }
            int x = b[p++];
            result |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                pos = p;
                return result;
            }
        }
        throw new DecodeException("proto: integer overflow in varint at offset " + pos);
    }

    long fixed64() {
        int p = pos;
        if (limit - p < 8) {
            throw new DecodeException("proto: unexpected EOF in fixed64 at offset " + p);
        }
        final byte[] b = buf;
        long v = (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24
                | (b[p + 4] & 0xFFL) << 32 | (b[p + 5] & 0xFFL) << 40 | (b[p + 6] & 0xFFL) << 48
                | (b[p + 7] & 0xFFL) << 56;
        pos = p + 8;
        return v;
    }

    /** Reads a length prefix and checks the bytes are there; the payload starts at {@link #pos} afterwards. */
    int len() {
        long n = varint();
        if (n < 0 || n > limit - pos) {
            throw new DecodeException("proto: length " + n + " at offset " + pos + " runs past the end of its message");
        }
        return (int) n;
    }

    void skip(int wireType) {
        switch (wireType) {
            case WIRE_VARINT -> varint();
            case WIRE_FIXED64 -> advance(8);
            case WIRE_LEN -> advance(len());
            case WIRE_FIXED32 -> advance(4);
            default -> throw new DecodeException("proto: unsupported wire type " + wireType + " at offset " + pos);
        }
    }

    private void advance(int n) {
        if (limit - pos < n) {
            throw new DecodeException("proto: unexpected EOF at offset " + pos);
        }
        pos += n;
    }

    /** Throws unless {@code tag}'s wire type is {@code expected}. */
    static void expect(int tag, int expected, String field) {
        if ((tag & 7) != expected) {
            throw new DecodeException("proto: wrong wire type " + (tag & 7) + " for field " + field);
        }
    }
}
