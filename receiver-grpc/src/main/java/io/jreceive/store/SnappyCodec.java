package io.jreceive.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import org.xerial.snappy.SnappyFramedInputStream;
import org.xerial.snappy.SnappyFramedOutputStream;

import io.grpc.Codec;

/**
 * The gRPC message compressor named {@code snappy} that Thanos registers: the snappy <em>framed</em> (stream)
 * format with its stream identifier and masked CRC-32C per frame, not the block format of remote-write bodies.
 * Registered for both directions, so a Thanos peer sending {@code grpc-encoding: snappy} is understood and answered
 * in kind.
 */
public final class SnappyCodec implements Codec {
    public static final String NAME = "snappy";

    @Override
    public String getMessageEncoding() {
        return NAME;
    }

    @Override
    public OutputStream compress(OutputStream os) throws IOException {
        return new SnappyFramedOutputStream(os);
    }

    @Override
    public InputStream decompress(InputStream is) throws IOException {
        return new SnappyFramedInputStream(is);
    }
}
