package io.jreceive.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jreceive.labels.Labels;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.Sample;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.proto.write.v2.Request;
import org.xerial.snappy.Snappy;

/**
 * A test remote-write receiver on 127.0.0.1: decodes every request with the generated protobuf classes, checks the
 * headers Prometheus sends, and records per series the samples in arrival order. What it answers is decided per
 * attempt number by a function, so tests can make it fail.
 */
final class RecordingReceiver implements AutoCloseable {
    /** One received sample with the tenant header of its request. */
    record Received(long timestamp, double value, String tenant) {
    }

    private final HttpServer server;
    private final IntUnaryOperator statusOfAttempt;
    private final boolean v2WrittenCountWrong;
    private final AtomicInteger attempts = new AtomicInteger();
    private final Map<Labels, List<Received>> bySeries = new HashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> retryAttemptHeaders = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> requestSizes = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param statusOfAttempt     status to answer the n-th attempt (0-based, over all connections)
     * @param v2WrittenCountWrong answer 2.0 requests with one sample fewer in the written header than received
     */
    RecordingReceiver(IntUnaryOperator statusOfAttempt, boolean v2WrittenCountWrong) throws IOException {
        this.statusOfAttempt = statusOfAttempt;
        this.v2WrittenCountWrong = v2WrittenCountWrong;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.start();
    }

    RecordingReceiver() throws IOException {
        this(n -> 204, false);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
    }

    int attempts() {
        return attempts.get();
    }

    synchronized Map<Labels, List<Received>> bySeries() {
        return new HashMap<>(bySeries);
    }

    List<String> problems() {
        return problems;
    }

    List<Integer> retryAttemptHeaders() {
        return retryAttemptHeaders;
    }

    List<Integer> requestSizes() {
        return requestSizes;
    }

    private void handle(HttpExchange ex) throws IOException {
        int attempt = attempts.getAndIncrement();
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Headers h = ex.getRequestHeaders();
            String retry = h.getFirst("Retry-Attempt");
            if (retry != null) {
                retryAttemptHeaders.add(Integer.parseInt(retry));
            }
            int status = statusOfAttempt.applyAsInt(attempt);
            if (status / 100 != 2) {
                byte[] msg = ("injected " + status).getBytes();
                ex.sendResponseHeaders(status, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            expect(h, "POST", ex.getRequestMethod(), "method");
            expect(h, "snappy", h.getFirst("Content-Encoding"), "Content-Encoding");
            expect(h, "jreceive-loadgen/0.1.0", h.getFirst("User-Agent"), "User-Agent");
            String type = h.getFirst("Content-Type");
            String version = h.getFirst("X-Prometheus-Remote-Write-Version");
            String tenant = h.getFirst("THANOS-TENANT");
            byte[] raw = Snappy.uncompress(body);
            int samples;
            if ("application/x-protobuf".equals(type)) {
                expect(h, "0.1.0", version, "version header");
                samples = recordV1(WriteRequest.parseFrom(raw), tenant);
            } else if ("application/x-protobuf;proto=io.prometheus.write.v2.Request".equals(type)) {
                expect(h, "2.0.0", version, "version header");
                samples = recordV2(Request.parseFrom(raw), tenant);
            } else {
                problems.add("unexpected Content-Type " + type);
                ex.sendResponseHeaders(415, -1);
                return;
            }
            requestSizes.add(samples);
            if (type.endsWith("v2.Request")) {
                int reported = v2WrittenCountWrong ? samples - 1 : samples;
                ex.getResponseHeaders().add(RemoteWriteSender.SAMPLES_WRITTEN, Integer.toString(reported));
                ex.getResponseHeaders().add("X-Prometheus-Remote-Write-Histograms-Written", "0");
                ex.getResponseHeaders().add("X-Prometheus-Remote-Write-Exemplars-Written", "0");
            }
            ex.sendResponseHeaders(status, -1);
        } catch (RuntimeException | IOException e) {
            problems.add("receiver failed: " + e);
            throw e;
        }
    }

    private void expect(Headers h, String want, String got, String what) {
        if (!want.equals(got)) {
            problems.add(what + ": want " + want + ", got " + got + " (headers " + h.keySet() + ")");
        }
    }

    private int recordV1(WriteRequest req, String tenant) {
        int n = 0;
        for (TimeSeries ts : req.getTimeseriesList()) {
            Labels.Builder b = new Labels.Builder();
            String previous = null;
            for (Label l : ts.getLabelsList()) {
                if (previous != null && previous.compareTo(l.getName()) >= 0) {
                    problems.add("v1 labels not sorted: " + ts.getLabelsList());
                }
                previous = l.getName();
                b.set(l.getName(), l.getValue());
            }
            if (ts.getSamplesCount() != 1) {
                problems.add("Prometheus sends one sample per TimeSeries, got " + ts.getSamplesCount());
            }
            for (Sample s : ts.getSamplesList()) {
                add(b.build(), new Received(s.getTimestamp(), s.getValue(), tenant));
                n++;
            }
        }
        return n;
    }

    private int recordV2(Request req, String tenant) {
        if (req.getSymbolsCount() == 0 || !req.getSymbols(0).isEmpty()) {
            problems.add("v2 symbols[0] must be the empty string");
        }
        if (req.getSymbolsList().stream().distinct().count() != req.getSymbolsCount()) {
            problems.add("v2 symbol table has duplicates");
        }
        int n = 0;
        for (io.jreceive.proto.write.v2.TimeSeries ts : req.getTimeseriesList()) {
            Labels.Builder b = new Labels.Builder();
            List<Integer> refs = ts.getLabelsRefsList();
            for (int i = 0; i + 1 < refs.size(); i += 2) {
                b.set(req.getSymbols(refs.get(i)), req.getSymbols(refs.get(i + 1)));
            }
            for (io.jreceive.proto.write.v2.Sample s : ts.getSamplesList()) {
                add(b.build(), new Received(s.getTimestamp(), s.getValue(), tenant));
                n++;
            }
        }
        return n;
    }

    private synchronized void add(Labels l, Received r) {
        bySeries.computeIfAbsent(l, k -> new ArrayList<>()).add(r);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
