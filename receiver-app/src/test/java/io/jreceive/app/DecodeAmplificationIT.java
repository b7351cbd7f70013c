package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Decode amplification against the packaged jar with the JVM's default settings: a remote write 1.0 body of one
 * series holding ~15M empty {@code Label{}} messages (30 MiB decoded, ~1.5 MB compressed) used to grow every event
 * loop's label arrays to hundreds of MiB that never shrank. Twelve such bodies sent at once, twice, must each be
 * refused with a 4xx, the resident memory must stay under 1.5 GiB (the peak, {@code VmHWM}), and the receiver must
 * stay ready and keep storing ordinary writes.
 */
class DecodeAmplificationIT {
    private static final int LABELS = 15_000_000;
    private static final int CONCURRENT = 12;
    private static final long MAX_RSS_KIB = 1536L * 1024;

    @TempDir
    Path tmp;

    /** One {@code WriteRequest} with one {@code TimeSeries} of {@link #LABELS} empty labels, snappy-compressed. */
    private static byte[] amplificationBody() throws Exception {
        int tsLen = 2 * LABELS;
        byte[] raw = new byte[1 + 5 + tsLen];
        int p = 0;
        raw[p++] = 0x0A;
        for (int v = tsLen; ; v >>>= 7) {
            if (v < 0x80) {
                raw[p++] = (byte) v;
                break;
            }
            raw[p++] = (byte) (v & 0x7F | 0x80);
        }
        for (int i = 0; i < LABELS; i++, p += 2) {
            raw[p] = 0x0A; // Label{}: field 1 of TimeSeries, length 0
        }
        return Snappy.compress(java.util.Arrays.copyOf(raw, p));
    }

    @Test
    void amplificationBodiesAreRefusedWithinBoundedMemory() throws Exception {
        byte[] body = amplificationBody();
        assertTrue(body.length < 2_000_000, "about 1.5 MB compressed: " + body.length);
        try (JreceiveProcess rx = JreceiveProcess.startWithJvmDefaults(tmp.resolve("data"),
                "--remote-write.warmup-series=0")) {
            AtomicLong maxThreads = new AtomicLong();
            List<String> answered = new ArrayList<>();
            List<Boolean> readyAfter = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
            try {
                for (int round = 0; round < 2; round++) {
                    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                    for (int i = 0; i < CONCURRENT; i++) {
                        answers.add(pool.submit(() -> rx.post(body)));
                    }
                    for (Future<HttpResponse<String>> f : answers) {
                        HttpResponse<String> r = f.get();
                        answered.add(r.statusCode() + " " + r.body());
                    }
                    maxThreads.accumulateAndGet(rx.status("Threads"), Math::max);
                    readyAfter.add(rx.ready());
                }
            } finally {
                pool.shutdownNow();
            }
            long peakKib = rx.status("VmHWM");
            long rssKib = rx.status("VmRSS");
            System.out.printf("decode amplification: peak RSS %d MiB, RSS after %d MiB, threads %d, body %d bytes%n",
                    peakKib / 1024, rssKib / 1024, maxThreads.get(), body.length);
            assertTrue(peakKib < MAX_RSS_KIB, "peak RSS " + peakKib / 1024 + " MiB");
            assertEquals(List.of(true, true), readyAfter, "ready after each round");
            assertEquals(2 * CONCURRENT, answered.size());
            for (String a : answered) {
                assertEquals("400 invalid series: more than 512 labels, the limit per series\n", a);
            }
            long t = System.currentTimeMillis();
            HttpResponse<String> ok = rx.post(new RemoteWriteRequests().series(Labels.of("__name__", "after"), t, 1)
                    .v1());
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(rx.ready());
        }
    }
}
