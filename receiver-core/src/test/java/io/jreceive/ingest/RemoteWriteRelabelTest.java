package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.relabel.RelabelConfig;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.testing.WalContents;

/** Relabel rules over real HTTP: the WAL holds the rewritten series, dropped ones vanish, an emptied request is 200. */
class RemoteWriteRelabelTest {
    @TempDir
    Path dir;
    private TestReceiver rx;

    @AfterEach
    void stop() throws Exception {
        rx.close();
    }

    @Test
    void rewritesDropsAndAnswers200WhenNothingIsLeft() throws Exception {
        rx = new TestReceiver(dir, null, RelabelConfig.parseList("""
                - source_labels: [job]
                  regex: drop-me
                  action: drop
                - regex: secret
                  action: labeldrop
                - source_labels: [instance]
                  regex: '([^:]+):.*'
                  target_label: host
                """));
        long t = 1_700_000_000_000L;
        byte[] body = new RemoteWriteRequests()
                .series(Labels.of("__name__", "up", "job", "drop-me", "instance", "a:1"), t, 1)
                .series(Labels.of("__name__", "up", "job", "api", "instance", "b:9090", "secret", "x"), t, 2)
                .v1();
        HttpResponse<String> r = rx.postV1(body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of(WalContents.line(Labels.of("__name__", "up", "host", "b", "instance", "b:9090",
                "job", "api"), 2, t)), WalContents.lines(dir.resolve("default-tenant").resolve("wal")));

        r = rx.postV1(new RemoteWriteRequests()
                .series(Labels.of("__name__", "up", "job", "drop-me"), t + 1000, 3).v1(), "THANOS-TENANT", "other");
        assertEquals(200, r.statusCode(), "a request left empty by relabelling is accepted");
        assertEquals("", r.body());
        Path otherWal = dir.resolve("other").resolve("wal");
        assertEquals(List.of(), Files.isDirectory(otherWal) ? WalContents.lines(otherWal) : List.of());
    }
}
