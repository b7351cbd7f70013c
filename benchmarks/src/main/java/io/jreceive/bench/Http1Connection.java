package io.jreceive.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One keep-alive HTTP/1.1 connection, used by one sender shard at a time: a blocking socket, request heads written
 * as bytes, responses parsed just enough to get the status, the headers and the body (Content-Length, chunked, or
 * until close).
 *
 * <p>The load generator shares the machine with the server it measures, so its own CPU per request matters: the
 * JDK's {@code java.net.http.HttpClient} spent about a core at 600k samples/s (selector thread, futures, header
 * objects, and the JIT compiling all of it in a fresh JVM). A plain socket per shard is what Prometheus' queue
 * shards amount to as well: one connection, one request in flight.
 *
 * <p>Like Go's transport, a request on a reused connection that gets no byte of an answer (the server closed the
 * idle connection) is sent again once on a new connection; any other I/O failure is the caller's to count.
 */
final class Http1Connection implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final int MAX_LINE = 16 * 1024;

    private final String host;
    private final int port;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final byte[] requestLine;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int requestsOnSocket;

    /** An answer: status, headers with lower-case names (last value wins), body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    Http1Connection(URI url, long connectTimeoutMs, long readTimeoutMs) {
        if (!"http".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("only http:// URLs are supported, got " + url);
        }
        this.host = url.getHost();
        this.port = url.getPort() < 0 ? 80 : url.getPort();
        this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeoutMs);
        this.readTimeoutMs = (int) Math.min(Integer.MAX_VALUE, readTimeoutMs);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        String authority = url.getPort() < 0 ? host : host + ":" + port;
        this.requestLine = ("POST " + path + " HTTP/1.1\r\nHost: " + authority + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }

    /** Opens the connection now if it is not open (so a measured request does not pay for the handshake). */
    void connect() throws IOException {
        if (socket == null) {
            open();
        }
    }

    /**
     * Posts {@code body} with {@code headers} (name, value pairs, besides Host and Content-Length) and reads the
     * answer.
     */
    Response post(String[] headers, byte[] body) throws IOException {
        byte[] head = head(headers, body.length);
        boolean reused = socket != null && requestsOnSocket > 0;
        try {
            try {
                return exchange(head, body);
            } catch (NoAnswerException e) {
                if (!reused) {
                    throw e;
                }
                close();
                return exchange(head, body);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Response exchange(byte[] head, byte[] body) throws IOException {
        if (socket == null) {
            open();
        }
        try {
            out.write(head);
            out.write(body);
            out.flush();
        } catch (IOException e) {
            throw requestsOnSocket > 0 ? new NoAnswerException(e.toString()) : e;
        }
        requestsOnSocket++;
        Response r = readResponse();
        String connection = r.header("connection");
        if (connection != null && connection.equalsIgnoreCase("close")) {
            close();
        }
        return r;
    }

    private byte[] head(String[] headers, int contentLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        b.writeBytes(requestLine);
        for (int i = 0; i < headers.length; i += 2) {
            b.writeBytes(headers[i].getBytes(StandardCharsets.US_ASCII));
            b.write(':');
            b.write(' ');
            b.writeBytes(headers[i + 1].getBytes(StandardCharsets.UTF_8));
            b.writeBytes(CRLF);
        }
        b.writeBytes(("Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private void open() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            out = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        requestsOnSocket = 0;
    }

    private Response readResponse() throws IOException {
        while (true) {
            int status = parseStatus(readLine(true));
            Map<String, String> headers = readHeaders();
            if (status >= 100 && status < 200) {
                continue;  // an interim answer (100 Continue); the real one follows
            }
            // 204 and 304 never carry a body, whatever the headers say (RFC 9112 section 6.3).
            byte[] body = status == 204 || status == 304 ? new byte[0] : readBody(headers);
            return new Response(status, headers, body);
        }
    }

    private static int parseStatus(String line) throws IOException {
        // HTTP/1.1 200 OK
        int sp = line.indexOf(' ');
        if (!line.startsWith("HTTP/1.") || sp < 0 || line.length() < sp + 4) {
            throw new IOException("malformed HTTP status line: " + line);
        }
        try {
            return Integer.parseInt(line.substring(sp + 1, sp + 4));
        } catch (NumberFormatException e) {
            throw new IOException("malformed HTTP status line: " + line);
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new TreeMap<>();
        for (String line = readLine(false); !line.isEmpty(); line = readLine(false)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed HTTP header line: " + line);
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }

    private byte[] readBody(Map<String, String> headers) throws IOException {
        String te = headers.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(false);
                int semi = sizeLine.indexOf(';');
                int size;
                try {
                    size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size: " + sizeLine);
                }
                if (size == 0) {
                    while (!readLine(false).isEmpty()) {
                        // trailers: ignored
                    }
                    return body.toByteArray();
                }
                body.writeBytes(in.readNBytes(size));
                if (!readLine(false).isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
        }
        String length = headers.get("content-length");
        if (length != null) {
            int n;
            try {
                n = Integer.parseInt(length);
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length: " + length);
            }
            byte[] body = in.readNBytes(n);
            if (body.length != n) {
                throw new EOFException("connection closed after " + body.length + " of " + n + " body bytes");
            }
            return body;
        }
        // Neither: the body runs until the server closes the connection.
        byte[] body = in.readAllBytes();
        close();
        return body;
    }

    /**
     * One CRLF-terminated line as ASCII. {@code first}: the status line, where EOF before any byte means the server
     * closed the connection without answering.
     */
    private String readLine(boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (first && sb.length() == 0) {
                    throw new NoAnswerException("connection closed before an answer");
                }
                throw new EOFException("connection closed in the middle of an HTTP answer");
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("HTTP answer line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket we give up on
            }
        }
        socket = null;
        in = null;
        out = null;
    }

    /** The server closed the connection before answering; a reused connection is retried once. */
    static final class NoAnswerException extends IOException {
        NoAnswerException(String message) {
            super(message);
        }
    }
}
