package io.jreceive.ingest;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jreceive.head.Head;
import io.jreceive.head.WalSink;
import io.jreceive.head.WriteBatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Fuzzes a whole remote-write request body through the listener's pipeline and handler (snappy length header and
 * decompression, both decoders, validation and the head append) on an {@link EmbeddedChannel}: every body must be
 * answered 200, 400, 409 or 413, never 500 or not at all, and nothing may throw.
 */
class RemoteWriteBodyFuzzer {
    private static final WalSink DISCARD = (series, samples) -> CompletableFuture.completedFuture(null);
    private static final RemoteWriteConfig CONFIG = new RemoteWriteConfig("127.0.0.1", 0, "THANOS-TENANT",
            "default-tenant", new RemoteWriteLimits(1 << 20, 1 << 20, 0, 0, RemoteWriteLimits.DEFAULT_MAX_LABELS,
                    RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES), 1, 0);

    private final Head head = new Head(7_200_000L, 0);
    private final EmbeddedChannel ch = channel(head);

    private static EmbeddedChannel channel(Head head) {
        TenantWriter writer = new TenantWriter() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
                return head.append(batch, ctx, DISCARD);
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel();
        RemoteWriteServer.initPipeline(ch.pipeline(), new RemoteWriteHandler(CONFIG, writer, new SimpleMeterRegistry()),
                CONFIG.limits());
        return ch;
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    @FuzzTest(maxDuration = "3s")
    void body(byte[] body) {
        if (body.length == 0) {
            return;
        }
        String type = (body[0] & 1) != 0 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request"
                : "application/x-protobuf";
        String head = "POST " + RemoteWriteConfig.PATH + " HTTP/1.1\r\nHost: fuzz\r\nContent-Type: " + type
                + "\r\nContent-Encoding: snappy\r\nContent-Length: " + (body.length - 1) + "\r\n\r\n";
        ByteBuf in = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOfRange(body, 1, body.length));
        ch.writeInbound(in);
        ch.runPendingTasks();
        StringBuilder answer = new StringBuilder();
        for (Object out; (out = ch.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            answer.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        String a = answer.toString();
        if (!(a.startsWith("HTTP/1.1 200") || a.startsWith("HTTP/1.1 400") || a.startsWith("HTTP/1.1 409")
                || a.startsWith("HTTP/1.1 413"))) {
            throw new AssertionError("answered: " + a.replace("\r\n", " | "));
        }
    }
}
