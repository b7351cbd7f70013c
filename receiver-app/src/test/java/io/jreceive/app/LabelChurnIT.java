package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Label churn against the packaged jar with the JVM's default settings: 30 rounds of 5,000 brand-new series (a
 * unique 40-byte label value each, as pod names under Kubernetes churn), with 4 s blocks, a 1 s compaction interval
 * and a 30 s retention, so old series leave the head (it holds the last few rounds from round 4 on) and old blocks
 * are deleted. The heap after a forced full GC at round 30 must be at most 1.3 times that at round 10: nothing may
 * keep every value ever seen. Each reading is the lower of two forced GCs a second apart, so that a block cut
 * running at that moment (its buffers live for a moment) does not count as retained memory.
 */
class LabelChurnIT {
    private static final int ROUNDS = 30;
    private static final int SERIES = 5_000;
    private static final int PER_REQUEST = 1_000;
    private static final long ROUND_MS = 3_000;

    @TempDir
    Path tmp;

    /** A unique 40-byte label value. */
    private static String value(int round, int i) {
        return String.format("pod-%05d-%06d-%023d", round, i, (long) round * SERIES + i);
    }

    @Test
    void heapDoesNotGrowWithEveryLabelValueEverSeen() throws Exception {
        assertEquals(40, value(0, 0).length());
        Path bucket = tmp.resolve("bucket");
        try (JreceiveProcess rx = JreceiveProcess.startWithJvmDefaults(tmp.resolve("data"),
                "--remote-write.warmup-series=0", "--tsdb.min-block-duration=4s", "--tsdb.max-block-duration=4s",
                "--tsdb.retention=30s", "--tsdb.compaction-interval=1s",
                "--objstore.config={type: FILESYSTEM, config: {directory: '" + bucket + "'}}")) {
            List<Long> heap = new ArrayList<>();
            long maxThreads = 0;
            long next = System.currentTimeMillis();
            for (int round = 1; round <= ROUNDS; round++) {
                long t = System.currentTimeMillis();
                for (int from = 0; from < SERIES; from += PER_REQUEST) {
                    RemoteWriteRequests r = new RemoteWriteRequests();
                    for (int i = from; i < from + PER_REQUEST; i++) {
                        r.series(Labels.of("__name__", "churn", "job", "churn", "pod", value(round, i)), t, i);
                    }
                    HttpResponse<String> a = rx.post(r.v1());
                    assertEquals(200, a.statusCode(), "round " + round + ": " + a.body());
                }
                long first = rx.heapAfterGc();
                Thread.sleep(1000);
                heap.add(Math.min(first, rx.heapAfterGc()));
                maxThreads = Math.max(maxThreads, rx.status("Threads"));
                next += ROUND_MS;
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
            }
            long peakKib = rx.status("VmHWM");
            StringBuilder perRound = new StringBuilder();
            for (int i = 0; i < heap.size(); i++) {
                perRound.append(i + 1).append(':').append(heap.get(i) / (1024 * 1024)).append(' ');
            }
            System.out.printf("label churn: heap after GC (MiB) per round %s; peak RSS %d MiB; threads %d%n",
                    perRound.toString().trim(), peakKib / 1024, maxThreads);
            long at10 = heap.get(9);
            long at30 = heap.get(29);
            assertTrue(at30 <= at10 * 13 / 10, "heap at round 30 " + at30 + " > 1.3 x round 10 " + at10);
            assertTrue(rx.ready());
        }
    }
}
