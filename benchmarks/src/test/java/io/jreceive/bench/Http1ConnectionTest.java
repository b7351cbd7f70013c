package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * The load generator's HTTP/1.1 client against a scripted server on a raw socket: framing of requests and answers
 * (Content-Length, chunked, 204, until-close), keep-alive, and the one silent resend when a reused connection was
 * closed by the server before it answered.
 */
class Http1ConnectionTest {

    /** A request as the server read it. */
    record Seen(int connection, String head, byte[] body) {
    }

    /**
     * Accepts connections one at a time; for each request read, {@code script} returns the raw bytes to answer, or
     * null to close the connection without answering.
     */
    static final class ScriptedServer implements AutoCloseable {
        final ServerSocket server;
        final List<Seen> seen = new CopyOnWriteArrayList<>();
        final Thread thread;

        ScriptedServer(Function<Integer, String> script) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> serve(script), "scripted-http");
            thread.setDaemon(true);
            thread.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/api/v1/receive");
        }

        private void serve(Function<Integer, String> script) {
            int connection = 0;
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connection++;
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    while (true) {
                        String head = readHead(in);
                        if (head == null) {
                            break;
                        }
                        int length = 0;
                        for (String line : head.split("\r\n")) {
                            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).trim());
                            }
                        }
                        seen.add(new Seen(connection, head, in.readNBytes(length)));
                        String answer = script.apply(seen.size());
                        if (answer == null) {
                            break;
                        }
                        out.write(answer.getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        if (answer.toLowerCase(Locale.ROOT).contains("connection: close")) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    // the test closed the server, or the client went away
                }
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                if (b.size() >= 4 && b.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    return b.toString(StandardCharsets.US_ASCII);
                }
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private static final String[] HEADERS = {"Content-Type", "application/x-protobuf", "Content-Encoding", "snappy"};

    @Test
    void requestsAreFramedAndConnectionsKeptAlive() throws Exception {
        try (ScriptedServer srv = new ScriptedServer(n -> "HTTP/1.1 204 No Content\r\n\r\n");
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            byte[] body = {1, 2, 3, 0, (byte) 0xff};
            for (int i = 0; i < 3; i++) {
                Http1Connection.Response r = c.post(HEADERS, body);
                assertEquals(204, r.status());
                assertEquals(0, r.body().length);
            }
            assertEquals(3, srv.seen.size());
            for (Seen s : srv.seen) {
                assertEquals(1, s.connection(), "all requests on one connection");
                assertTrue(s.head().startsWith("POST /api/v1/receive HTTP/1.1\r\nHost: 127.0.0.1:"), s.head());
                assertTrue(s.head().contains("\r\nContent-Encoding: snappy\r\n"), s.head());
                assertTrue(s.head().contains("\r\nContent-Length: 5\r\n\r\n"), s.head());
                assertArrayEquals(body, s.body());
            }
        }
    }

    @Test
    void readsContentLengthChunkedAndUntilCloseBodies() throws Exception {
        List<String> answers = new ArrayList<>(List.of(
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nX-Prometheus-Remote-Write-Samples-Written: 0\r\n\r\n"
                + "bad request",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
            "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nuntil close"));
        try (ScriptedServer srv = new ScriptedServer(n -> n <= answers.size() ? answers.get(n - 1) : null);
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            Http1Connection.Response a = c.post(HEADERS, new byte[0]);
            assertEquals(400, a.status());
            assertEquals("bad request", new String(a.body(), StandardCharsets.UTF_8));
            assertEquals("0", a.header("x-prometheus-remote-write-samples-written"));
            Http1Connection.Response b = c.post(HEADERS, new byte[0]);
            assertEquals(409, b.status());
            assertEquals("hello world", new String(b.body(), StandardCharsets.UTF_8));
            // The third answer has no length: its body ends when the server closes the connection.
            Http1Connection.Response d = c.post(HEADERS, new byte[0]);
            assertEquals(500, d.status());
            assertEquals("until close", new String(d.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aReusedConnectionClosedBeforeAnsweringIsResentOnceOnANewOne() throws Exception {
        // Request 2 arrives on the kept-alive connection, which the server then drops without answering (as an idle
        // timeout racing the request would); the client sends it again on a new connection.
        try (ScriptedServer srv = new ScriptedServer(n -> n == 2 ? null : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            assertEquals(200, c.post(HEADERS, new byte[] {1}).status());
            assertEquals(200, c.post(HEADERS, new byte[] {2}).status());
            assertEquals(3, srv.seen.size());
            assertEquals(List.of(1, 1, 2), srv.seen.stream().map(Seen::connection).toList());
            assertArrayEquals(new byte[] {2}, srv.seen.get(2).body());
        }
    }

    @Test
    void aFreshConnectionClosedBeforeAnsweringIsAnErrorNotARetry() throws Exception {
        try (ScriptedServer srv = new ScriptedServer(n -> null);
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            assertThrows(IOException.class, () -> c.post(HEADERS, new byte[] {1}));
            assertEquals(1, srv.seen.size());
        }
    }

    @Test
    void connectionCloseAnswerOpensANewConnectionForTheNextRequest() throws Exception {
        try (ScriptedServer srv = new ScriptedServer(
                n -> "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            c.post(HEADERS, new byte[0]);
            c.post(HEADERS, new byte[0]);
            assertEquals(List.of(1, 2), srv.seen.stream().map(Seen::connection).toList());
        }
    }

    @Test
    void truncatedBodyIsAnError() throws Exception {
        try (ScriptedServer srv = new ScriptedServer(n -> "HTTP/1.1 400 Bad Request\r\nContent-Length: 50\r\n"
                + "Connection: close\r\n\r\nshort");
             Http1Connection c = new Http1Connection(srv.url(), 5000, 5000)) {
            IOException e = assertThrows(IOException.class, () -> c.post(HEADERS, new byte[0]));
            assertTrue(e.getMessage().contains("5 of 50"), e.getMessage());
        }
    }
}
