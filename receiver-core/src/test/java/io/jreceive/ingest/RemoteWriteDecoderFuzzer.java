package io.jreceive.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jreceive.head.WriteBatch;

/**
 * Fuzzes the remote write 1.0 and 2.0 decoders with arbitrary decoded bodies: the only exception allowed is
 * {@link DecodeException}, and what a body fills stays within the bounds {@link WriteBatch} documents (every
 * kept series, label or sample takes at least 2 bytes of the body).
 */
class RemoteWriteDecoderFuzzer {
    private final RemoteWriteDecoder v1 = new RemoteWriteDecoder();
    private final RemoteWrite2Decoder v2 = new RemoteWrite2Decoder();
    private final WriteBatch batch = new WriteBatch();

    @FuzzTest(maxDuration = "3s")
    void decode(byte[] body) {
        if (body.length == 0) {
            return;
        }
        // The first byte picks the protocol, so that one corpus serves both decoders.
        boolean second = (body[0] & 1) != 0;
        byte[] raw = java.util.Arrays.copyOfRange(body, 1, body.length);
        try {
            if (second) {
                v2.decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
            } else {
                v1.decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
            }
        } catch (DecodeException expected) {
            return;
        } finally {
            batch.trim();
            v2.trim();
        }
        Bounds.check(batch, raw.length);
    }
}
