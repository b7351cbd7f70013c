package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Issue 21 item 2, against the packaged jar with the JVM's default settings: 3,000 tenants (any header value
 * creates one) each write once and are all answered 200 while the process stays under 300 threads (WAL writing
 * shares a bounded pool instead of a thread per tenant); after a SIGKILL, the restart opens the 3,000 tenant
 * directories and is ready within 60 s, still under 300 threads. The peak, the restart time and the resident memory
 * are printed for benchmarks/RESULTS.md.
 */
class TenantFloodIT {
    private static final int TENANTS = 3_000;
    private static final long MAX_THREADS = 300;

    @TempDir
    Path tmp;

    @Test
    void threeThousandTenantsKeepTheThreadCountBoundedAcrossACrash() throws Exception {
        Path data = tmp.resolve("data");
        long now = System.currentTimeMillis();
        byte[] body = new RemoteWriteRequests().series(Labels.of("__name__", "flood_test"), now, 1).v1();
        JreceiveProcess p = JreceiveProcess.startWithJvmDefaults(data);
        long peak = 0;
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < TENANTS; i++) {
                final String tenant = "flood-" + i;
                answers.add(senders.submit(() -> p.post(body, tenant).statusCode()));
                if (i % 100 == 0) {
                    peak = Math.max(peak, p.status("Threads"));
                }
            }
            for (int i = 0; i < TENANTS; i++) {
                assertEquals(200, answers.get(i).get(), "tenant flood-" + i);
            }
            peak = Math.max(peak, p.status("Threads"));
            assertTrue(peak < MAX_THREADS, "threads during the flood: " + peak);
        } finally {
            senders.shutdownNow();
            p.kill();
        }

        long t0 = System.nanoTime();
        JreceiveProcess q = JreceiveProcess.startWithJvmDefaults(data);
        try {
            Duration ready = Duration.ofNanos(System.nanoTime() - t0);
            long threads = q.status("Threads");
            System.out.printf("TenantFloodIT: peak %d threads in the flood; restart ready in %d ms with %d threads, "
                    + "RSS %d KiB%n", peak, ready.toMillis(), threads, q.status("VmRSS"));
            assertTrue(ready.compareTo(Duration.ofSeconds(60)) <= 0, "restart with " + TENANTS + " tenants ready in "
                    + ready);
            assertTrue(threads < MAX_THREADS, "threads after the restart: " + threads);
            assertEquals(200, q.post(new RemoteWriteRequests().series(Labels.of("__name__", "flood_test"), now + 1000,
                    2).v1(), "flood-7").statusCode(), "a replayed tenant takes writes");
        } finally {
            // Not a SIGTERM: its flush cuts a block for each of the 3,000 heads, which is another matter.
            q.kill();
        }
    }
}
