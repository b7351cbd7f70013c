package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.ingest.ConnectionLimits;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Slow clients against the packaged jar on its default timeouts: 200 connections that send half a request head and
 * stop must all be closed by the server within 2 minutes (the default read-header timeout is
 * {@value ConnectionLimits#DEFAULT_READ_HEADER_TIMEOUT_MS} ms), while ordinary writes, sent all along, keep being
 * stored.
 */
class SlowClientsIT {
    private static final int STALLED = 200;
    private static final long LIMIT_MS = 120_000;

    @TempDir
    Path tmp;

    @Test
    void halfHeadsAreClosedWhileWritesGoOn() throws Exception {
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("data"), "--remote-write.warmup-series=0");
             Selector selector = Selector.open()) {
            byte[] half = ("POST /api/v1/receive HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-pro")
                    .getBytes(StandardCharsets.US_ASCII);
            List<SocketChannel> stalled = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < STALLED; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", rx.remoteWritePort));
                ch.write(ByteBuffer.wrap(half));
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
                stalled.add(ch);
            }
            long threadsWithStalled = rx.status("Threads");
            int open = STALLED;
            int writes = 0;
            long lastClose = 0;
            long nextWrite = 0;
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (open > 0 && System.nanoTime() - start < LIMIT_MS * 1_000_000) {
                if (System.nanoTime() >= nextWrite) {
                    long t = System.currentTimeMillis();
                    HttpResponse<String> r = rx.post(new RemoteWriteRequests()
                            .series(Labels.of("__name__", "during_stall", "i", Integer.toString(writes)), t, 1).v1());
                    assertEquals(200, r.statusCode(), "write " + writes + " while " + open + " stalled: " + r.body());
                    writes++;
                    nextWrite = System.nanoTime() + 1_000_000_000L;
                }
                selector.select(200);
                for (SelectionKey k : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) k.channel();
                    sink.clear();
                    int n;
                    try {
                        n = ch.read(sink);
                    } catch (java.io.IOException reset) {
                        n = -1;
                    }
                    if (n > 0) {
                        throw new AssertionError("the server answered a half head: "
                                + new String(sink.array(), 0, n, StandardCharsets.ISO_8859_1));
                    }
                    if (n < 0) {
                        k.cancel();
                        ch.close();
                        open--;
                        lastClose = System.nanoTime() - start;
                    }
                }
                selector.selectedKeys().clear();
            }
            System.out.printf("slow clients: %d half heads, all closed by the server after %.1f s; %d writes stored "
                    + "meanwhile; %d threads with them open%n", STALLED - open, lastClose / 1e9, writes,
                    threadsWithStalled);
            assertEquals(0, open, "connections still open after " + LIMIT_MS + " ms");
            assertTrue(writes >= 10, "writes went on: " + writes);
            assertTrue(rx.ready());
            for (SocketChannel ch : stalled) {
                ch.close();
            }
        }
    }
}
