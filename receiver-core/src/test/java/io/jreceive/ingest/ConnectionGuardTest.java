package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.tsdb.TsdbConfig;

/**
 * The listener's timeouts and caps over loopback sockets: half a request head, a stalled body and an idle
 * keep-alive connection are each closed by the server once their timer runs out (short timers here, awaited with a
 * generous bound), and connections or requests past the caps are answered 503 with the reason.
 */
class ConnectionGuardTest {
    private static final long AWAIT_MS = 20_000;

    @TempDir
    Path dir;

    private TestReceiver receiver(ConnectionLimits limits) throws Exception {
        return new TestReceiver(TestReceiver.config(dir, TsdbConfig.DEFAULT_BLOCK_DURATION),
                RemoteWriteLimits.DEFAULTS, limits);
    }

    private static Socket connect(TestReceiver rx) throws IOException {
        Socket s = new Socket("127.0.0.1", rx.server.port());
        s.setSoTimeout((int) AWAIT_MS);
        return s;
    }

    /** Reads until the server closes the connection; returns what it sent. Fails if it stays open. */
    private static String readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] b = new byte[4096];
        try {
            for (int n; (n = in.read(b)) >= 0; ) {
                got.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("still open after " + AWAIT_MS + " ms; got: " + got);
        } catch (java.net.SocketException reset) {
            // closed with unread input: a reset is a close too
        }
        return got.toString();
    }

    private static String head(int contentLength, boolean keepAlive) {
        return "POST /api/v1/receive HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                + "Content-Encoding: snappy\r\nContent-Length: " + contentLength + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
    }

    private static byte[] body() {
        return new RemoteWriteRequests().series(Labels.of("__name__", "m"), System.currentTimeMillis(), 1).v1();
    }

    @Test
    void stalledHeadBodyAndIdleConnectionsAreClosed() throws Exception {
        try (TestReceiver rx = receiver(new ConnectionLimits(300, 300, 300, 0, 0))) {
            try (Socket half = connect(rx)) {
                half.getOutputStream().write("POST /api/v1/receive HTTP/1.1\r\nHost:".getBytes(StandardCharsets.US_ASCII));
                assertEquals("", readUntilClosed(half), "closed without an answer");
            }
            try (Socket silent = connect(rx)) {
                assertEquals("", readUntilClosed(silent));
            }
            byte[] body = body();
            try (Socket stalled = connect(rx)) {
                OutputStream out = stalled.getOutputStream();
                out.write(head(body.length, true).getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                assertEquals("", readUntilClosed(stalled));
            }
            try (Socket idle = connect(rx)) {
                OutputStream out = idle.getOutputStream();
                out.write(head(body.length, true).getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                String answer = readUntilClosed(idle);
                assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
            }
            assertEquals(200, rx.postV1(body()).statusCode(), "the listener still serves");
        }
    }

    @Test
    void connectionsAndRequestsPastTheCapsAreAnswered503() throws Exception {
        try (TestReceiver rx = receiver(new ConnectionLimits(60_000, 60_000, 60_000, 2, 1))) {
            byte[] body = body();
            try (Socket holder = connect(rx); Socket second = connect(rx)) {
                awaitState(() -> rx.server.connections(), 2);
                // holder takes the one request slot: its head is read, its body not finished.
                holder.getOutputStream().write(head(body.length, false).getBytes(StandardCharsets.US_ASCII));
                holder.getOutputStream().write(body, 0, 1);
                holder.getOutputStream().flush();
                awaitState(() -> rx.server.requestsInFlight(), 1);
                try (Socket third = connect(rx)) {
                    String refused = readUntilClosed(third);
                    assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
                    assertTrue(refused.endsWith("too many open connections (limit 2); retry later\n"), refused);
                }
                // The refused third connection is gone, so second may be served; but holder keeps the slot.
                awaitState(() -> rx.server.connections(), 2);
                OutputStream out = second.getOutputStream();
                out.write(head(body.length, false).getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                String busy = readUntilClosed(second);
                assertTrue(busy.startsWith("HTTP/1.1 503"), busy);
                assertTrue(busy.endsWith("too many concurrent requests (limit 1); retry later\n"), busy);
                holder.getOutputStream().write(body, 1, body.length - 1);
                String served = readUntilClosed(holder);
                assertTrue(served.startsWith("HTTP/1.1 200 OK"), served);
                awaitState(() -> rx.server.requestsInFlight(), 0);
                assertEquals(200, rx.postV1(body()).statusCode(), "the slot is free again");
            }
        }
    }

    private static void awaitState(java.util.function.IntSupplier now, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + AWAIT_MS * 1_000_000;
        while (now.getAsInt() != expected) {
            assertTrue(System.nanoTime() < deadline, "still " + now.getAsInt() + ", expected " + expected);
            Thread.sleep(10);
        }
    }
}
