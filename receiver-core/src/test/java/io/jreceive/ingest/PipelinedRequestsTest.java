package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * HTTP/1.1 pipelining: a client may send the next requests before the first answer, and must get the answers in
 * request order. A request that waits for the WAL must not be overtaken by one answered at once (a bad tenant, a
 * bad body), nor by an oversized one that the aggregator refuses.
 */
class PipelinedRequestsTest {
    /** Storage whose WAL completes only when the test says so. */
    private static final class HeldWal implements TenantWriter {
        final List<CompletableFuture<Void>> pending = new ArrayList<>();

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
            ctx.stats.reset();
            CompletableFuture<Void> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }
    }

    private static String request(String tenant, byte[] body) {
        return "POST " + RemoteWriteConfig.PATH + " HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                + "THANOS-TENANT: " + tenant + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    }

    private static ByteBuf pipelined(byte[]... parts) {
        return Unpooled.wrappedBuffer(parts);
    }

    private static List<Integer> statuses(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object out; (out = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) out;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        List<Integer> codes = new ArrayList<>();
        Matcher m = Pattern.compile("HTTP/1.1 (\\d{3}) ").matcher(sb);
        while (m.find()) {
            codes.add(Integer.parseInt(m.group(1)));
        }
        return codes;
    }

    @Test
    void answersComeBackInRequestOrder() {
        HeldWal wal = new HeldWal();
        RemoteWriteLimits limits = new RemoteWriteLimits(4096, 1 << 20, 0, 0, RemoteWriteLimits.DEFAULT_MAX_LABELS,
                RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        RemoteWriteConfig config = new RemoteWriteConfig("127.0.0.1", 0, RemoteWriteConfig.DEFAULT_TENANT_HEADER,
                RemoteWriteConfig.DEFAULT_TENANT, limits, 1, 0);
        EmbeddedChannel ch = new EmbeddedChannel();
        RemoteWriteServer.initPipeline(ch.pipeline(), new RemoteWriteHandler(config, wal, new SimpleMeterRegistry()),
                limits);
        byte[] good = new RemoteWriteRequests().series(Labels.of("__name__", "m"), 1000, 1).v1();
        byte[] huge = new byte[8192];
        ch.writeInbound(pipelined(
                request("a", good).getBytes(StandardCharsets.US_ASCII), good,
                request("..", good).getBytes(StandardCharsets.US_ASCII), good,
                request("b", good).getBytes(StandardCharsets.US_ASCII), good,
                request("a", huge).getBytes(StandardCharsets.US_ASCII), huge,
                request("a", new byte[] {1, 2, 3}).getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2, 3}));
        ch.runPendingTasks();
        assertEquals(2, wal.pending.size(), "both good requests reached storage");
        assertEquals(List.of(), statuses(ch), "nothing may overtake the first answer, still waiting for its WAL");

        wal.pending.get(1).complete(null);
        ch.runPendingTasks();
        assertEquals(List.of(), statuses(ch), "the second good request is durable, the first still not");

        wal.pending.get(0).complete(null);
        ch.runPendingTasks();
        assertEquals(List.of(200, 400, 200, 413, 400), statuses(ch));
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
