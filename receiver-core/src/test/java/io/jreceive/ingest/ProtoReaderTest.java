package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.google.protobuf.CodedOutputStream;

class ProtoReaderTest {
    /** {@code v} as protobuf-java writes a varint. */
    private static byte[] varint(long v) throws IOException {
        byte[] out = new byte[10];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        c.writeUInt64NoTag(v);
        return Arrays.copyOf(out, c.getTotalBytesWritten());
    }

    @Test
    void everyVarintLengthDecodesAtEveryDistanceFromTheEndAndWithAnyBytesAfterIt() throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int bits = 0; bits <= 64; bits++) {
            for (int k = 0; k < 200; k++) {
                long v = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits) | 1L << (bits - 1);
                byte[] enc = varint(v);
                // Followed by 0..12 bytes of noise (high bits set or not): the varint ends where it says, not at
                // the limit.
                for (int tail = 0; tail <= 12; tail++) {
                    byte[] buf = new byte[3 + enc.length + tail];
                    rnd.nextBytes(buf);
                    System.arraycopy(enc, 0, buf, 3, enc.length);
                    ProtoReader r = new ProtoReader();
                    r.reset(buf, 3, 3 + enc.length + tail);
                    assertEquals(v, r.varint(), () -> "value " + Long.toHexString(v));
                    assertEquals(3 + enc.length, r.pos);
                }
            }
        }
    }

    @Test
    void aVarintCutByTheLimitIsRefusedEvenWhenTheArrayGoesOn() throws IOException {
        // A ten-byte varint whose last byte lies past the limit.
        byte[] ten = varint(-1L);
        ProtoReader cut = new ProtoReader();
        cut.reset(Arrays.copyOf(ten, 16), 0, 9);
        assertThrows(DecodeException.class, cut::varint);
        byte[] enc = varint(1_800_000_000_000L); // six bytes
        byte[] buf = Arrays.copyOf(enc, 16);
        ProtoReader r = new ProtoReader();
        r.reset(buf, 0, enc.length - 1);
        assertThrows(DecodeException.class, r::varint);
    }

    @Test
    void elevenContinuationBytesAreAnOverflow() {
        byte[] buf = new byte[16];
        Arrays.fill(buf, (byte) 0x80);
        ProtoReader r = new ProtoReader();
        r.reset(buf, 0, buf.length);
        assertThrows(DecodeException.class, r::varint);
    }

    @Test
    void fixed64IsLittleEndian() {
        byte[] buf = {0, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xFF};
        ProtoReader r = new ProtoReader();
        r.reset(buf, 1, buf.length);
        assertEquals(0x0807060504030201L, r.fixed64());
        assertEquals(9, r.pos);
    }
}
