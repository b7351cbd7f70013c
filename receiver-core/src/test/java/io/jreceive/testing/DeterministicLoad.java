package io.jreceive.testing;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import io.jreceive.labels.Labels;

/**
 * A reproducible remote-write load: {@code series} series whose samples go out in rounds, each round one request
 * per worker thread covering that worker's series (so every series is written in time order), with values that
 * include stale markers and print exactly under Go's {@code %g}. It records what each 2xx acknowledged, as dump
 * lines, so tests can compare storage with exactly what the server promised.
 */
public final class DeterministicLoad {
    public static final long STALE_NAN = 0x7ff0000000000002L;

    private final int series;
    private final long startMs;
    private final long stepMs;
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());

    public DeterministicLoad(int series, long startMs, long stepMs) {
        this.series = series;
        this.startMs = startMs;
        this.stepMs = stepMs;
    }

    public Labels labels(int s) {
        return Labels.of("__name__", "load_metric_" + (s % 7), "series", Integer.toString(s), "job", "it",
                "zone", (s % 3 == 0) ? "\uFFFD" : "\uD83D\uDE00");
    }

    /** Sample value of series {@code s} in round {@code r}: quarters (exact in %g), every 17th a stale marker. */
    public static double value(int s, int r) {
        if ((s + r) % 17 == 0) {
            return Double.longBitsToDouble(STALE_NAN);
        }
        return new Random(31L * s + r).nextInt(1_000_000) / 4.0;
    }

    public long timestamp(int r) {
        return startMs + r * stepMs;
    }

    /** The round-{@code r} request of worker {@code w} of {@code workers}: one sample for each of its series. */
    public RemoteWriteRequests request(int w, int workers, int r) {
        RemoteWriteRequests req = new RemoteWriteRequests();
        for (int s = w; s < series; s += workers) {
            req.series(labels(s), timestamp(r), value(s, r));
        }
        return req;
    }

    /**
     * Sends rounds {@code [from, to)} with {@code workers} threads through {@code post}; a 2xx adds the request's
     * samples to {@link #acknowledged()}. Stops a worker at its first failure (connection refused after a kill).
     */
    public void run(int workers, int from, int to, Function<byte[], HttpResponse<String>> post)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            final int worker = w;
            Thread t = new Thread(() -> {
                for (int r = from; r < to; r++) {
                    HttpResponse<String> resp;
                    try {
                        resp = post.apply(request(worker, workers, r).v1());
                    } catch (RuntimeException e) {
                        return;
                    }
                    if (resp == null || resp.statusCode() / 100 != 2) {
                        return;
                    }
                    for (int s = worker; s < series; s += workers) {
                        acknowledged.add(line(labels(s), value(s, r), timestamp(r)));
                    }
                }
            }, "load-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** A comparable line for a sample: labels, value bits (all NaNs equal, as promtool prints them) and time. */
    public static String line(Labels l, double v, long t) {
        return line(l.toString(), v, t);
    }

    public static String line(String labels, double v, long t) {
        return labels + " " + Long.toHexString(Double.doubleToLongBits(v)) + " " + t;
    }

    public List<String> acknowledged() {
        return acknowledged;
    }
}
