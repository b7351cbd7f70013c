package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * A receiver killed while its clients hold connections comes back on the same three ports at once. The kill makes
 * the kernel close the server's side of every connection first, so each of its ports is left with a TIME_WAIT
 * connection for a minute; a listener bound without SO_REUSEADDR would refuse to start (EADDRINUSE) until those
 * expire, which is what an operator's restart, a Kubernetes container restart or a systemd restart runs into. Go
 * (Prometheus, Thanos) sets SO_REUSEADDR on its listeners, and so do Netty's server channels by default; this test
 * keeps it so (with the option turned off on the remote-write listener it fails with "Address already in use").
 */
class RestartOnSamePortsIT {
    private static final long T = System.currentTimeMillis() - 60_000L;

    @TempDir
    Path tmp;

    @Test
    void restartsOnItsPortsWhileTheKilledOnesConnectionsAreInTimeWait() throws Exception {
        Path data = tmp.resolve("data");
        Labels series = Labels.of("__name__", "restart_test", "job", "a");
        JreceiveProcess first = JreceiveProcess.start(data);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int port : new int[] {first.remoteWritePort, first.httpPort, first.grpcPort}) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), port));
            }
            HttpResponse<String> before = first.post(new RemoteWriteRequests().series(series, T, 1).v1());
            assertEquals(200, before.statusCode(), before.body());
        } finally {
            first.kill();
        }
        for (Socket c : clients) {
            // The server's side closed first (its FIN reaches us as end of stream); closing ours now completes the
            // close and leaves the server's port in TIME_WAIT.
            readToServerClose(c);
            c.close();
        }
        try (JreceiveProcess second = first.restartOnSamePorts(data)) {
            HttpResponse<String> after = second.post(new RemoteWriteRequests().series(series, T + 1000, 2).v1());
            assertEquals(200, after.statusCode(), after.body());
            assertTrue(second.metrics().contains("jreceive_"), "the ops port serves metrics");
            assertEquals(0, second.stop());
        }
    }

    /** Reads what the server sent (the gRPC port's HTTP/2 settings) up to its close; times out if it never closes. */
    private static void readToServerClose(Socket c) throws IOException {
        c.setSoTimeout(10_000);
        c.getInputStream().readAllBytes();
    }
}
