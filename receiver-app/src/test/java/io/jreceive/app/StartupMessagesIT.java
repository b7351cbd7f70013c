package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.testing.PrometheusProcess;

/**
 * What an operator reads at start, from the packaged jar: a start-up line with the version, the three addresses and
 * the mode, and a "ready" line; a port in use stops the start with one line naming the flag and the address, without
 * a stack trace; a missing objstore file says "no such file" with its path.
 */
class StartupMessagesIT {
    private static final String NO_WARMUP = "--remote-write.warmup-series=0";
    @TempDir
    Path tmp;

    @Test
    void startsWithVersionAddressesAndModeThenSaysReady() throws Exception {
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("data"), NO_WARMUP)) {
            String log = Files.readString(rx.log);
            assertTrue(log.contains("msg=\"starting jreceive " + ProcessMetrics.VERSION + " (Java "), log);
            assertTrue(log.contains("remote write 127.0.0.1:" + rx.remoteWritePort + ", gRPC 127.0.0.1:"
                    + rx.grpcPort + ", HTTP 127.0.0.1:" + rx.httpPort + ", mode IngestorOnly"), log);
            assertTrue(log.contains("msg=\"ready: remote write on 127.0.0.1:" + rx.remoteWritePort), log);
            assertEquals(0, rx.stop());
        }
    }

    @Test
    void aPortInUseIsOneLineNamingTheFlagAndTheAddress() throws Exception {
        int rw;
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            rw = taken.getLocalPort();
            try (JreceiveProcess rx = JreceiveProcess.spawnOn(tmp.resolve("data"), rw, PrometheusProcess.freePort(),
                    PrometheusProcess.freePort(), NO_WARMUP)) {
                int code = rx.awaitExit(Duration.ofSeconds(60));
                String log = Files.readString(rx.log);
                assertEquals(1, code, log);
                List<String> lines = log.lines().filter(l -> l.startsWith("jreceive: ")).toList();
                assertEquals(List.of("jreceive: --remote-write.address: listen tcp 127.0.0.1:" + rw
                        + ": bind: address already in use"), lines, log);
                assertFalse(log.contains("\tat "), "no stack trace: " + log);
                assertFalse(log.contains("Exception"), "no exception name: " + log);
            }
        }
    }

    @Test
    void aMissingObjstoreFileSaysNoSuchFile() throws Exception {
        Path missing = tmp.resolve("objstore.yaml");
        try (JreceiveProcess rx = JreceiveProcess.spawn(tmp.resolve("data"), NO_WARMUP,
                "--objstore.config-file=" + missing)) {
            int code = rx.awaitExit(Duration.ofSeconds(60));
            String log = Files.readString(rx.log);
            assertEquals(2, code, log);
            assertEquals("jreceive: --objstore.config-file: open " + missing + ": no such file or directory",
                    log.strip(), log);
        }
    }
}
