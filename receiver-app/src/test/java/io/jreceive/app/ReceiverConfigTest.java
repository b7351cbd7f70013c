package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
/** Start-up validation: Thanos' flags parse as Thanos parses them, and what jreceive cannot honour is refused. */
class ReceiverConfigTest {
    private static ReceiverConfig parse(String... args) {
        ReceiveCommand cmd = new ReceiveCommand();
        Main.commandLine(cmd).parseArgs(args);
        return ReceiverConfig.from(cmd);
    }

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void parsesThanosFlagsAndDefaults() {
        ReceiverConfig c = parse("--label=receive_replica=\"0\"", "--label=cluster=`raw \\n value`", "--tsdb.retention=6h",
                "--remote-write.address=127.0.0.1:1", "--grpc-address=[::]:2", "--no-tsdb.wal-compression");
        assertEquals(Map.of("receive_replica", "0", "cluster", "raw \\n value"), c.tsdb().externalLabels());
        assertEquals(6 * 3_600_000L, c.tsdb().retentionMs());
        assertEquals(7_200_000L, c.tsdb().blockDurationMs());
        assertEquals("127.0.0.1", c.remoteWrite().host());
        assertEquals(1, c.remoteWrite().port());
        assertEquals("::", c.store().host());
        assertEquals("THANOS-TENANT", c.remoteWrite().tenantHeader());
        assertEquals("default-tenant", c.remoteWrite().defaultTenant());
        assertEquals(false, c.tsdb().walCompression());
        assertEquals(null, c.objstore(), "no objstore flag: uploads off");
        assertEquals(io.jreceive.ingest.ConnectionLimits.DEFAULTS, c.remoteWrite().connections());
        assertEquals(0, c.tsdb().oooWindowMs(), "out-of-order ingestion off by default, as in Thanos");
        assertEquals(32, c.tsdb().oooCapMax(), "Thanos' cap-max 0 means Prometheus' 32");
        ReceiverConfig ooo = parse("--label=a=\"1\"", "--tsdb.out-of-order.time-window=30m",
                "--tsdb.out-of-order.cap-max=64");
        assertEquals(1_800_000L, ooo.tsdb().oooWindowMs());
        assertEquals(64, ooo.tsdb().oooCapMax());
    }

    @Test
    void connectionTimeoutsAndCapsHaveSaneDefaultsAndFlags() {
        var d = parse("--label=a=\"1\"").remoteWrite().connections();
        // Half a request head is dropped within a minute by default, a stalled body within two; an idle keep-alive
        // connection outlives the 5-minute idle timeout of Prometheus' remote-write client.
        assertTrue(d.readHeaderTimeoutMs() > 0 && d.readHeaderTimeoutMs() <= 60_000, d.toString());
        assertTrue(d.readBodyTimeoutMs() > 0 && d.readBodyTimeoutMs() <= 120_000, d.toString());
        assertTrue(d.idleTimeoutMs() > 300_000 && d.idleTimeoutMs() <= 600_000, d.toString());
        assertTrue(d.maxConnections() > 0 && d.maxConcurrentRequests() > 0, d.toString());
        var c = parse("--label=a=\"1\"", "--remote-write.read-header-timeout=2s", "--remote-write.read-body-timeout=3s",
                "--remote-write.idle-timeout=4s", "--remote-write.max-connections=5",
                "--remote-write.max-concurrent-requests=6").remoteWrite().connections();
        assertEquals(new io.jreceive.ingest.ConnectionLimits(2000, 3000, 4000, 5, 6), c);
        assertTrue(refusal("--label=a=\"1\"", "--remote-write.idle-timeout=0s").contains("--remote-write."));
        assertTrue(refusal("--label=a=\"1\"", "--remote-write.read-header-timeout=soon")
                .contains("--remote-write.read-header-timeout"));
    }

    @Test
    void refusesWhatThanosRefusesAndWhatJreceiveCannotHonour() {
        assertTrue(refusal().startsWith("no external labels configured for receive"));
        assertTrue(refusal("--label=a=b").contains("value must be a quoted string"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.tenant-label-name=bad-name").contains("not a valid label name"));
        assertTrue(refusal("--label=a=\"1\"", "--tsdb.min-block-duration=1h").contains("must be equal"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.replication-factor=3").contains("needs a hashring"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.replication-protocol=capnproto").contains("Cap'n Proto"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.grpc-compression=zstd").contains("snappy,none"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.hashrings-algorithm=maglev").contains("hashmod,ketama"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.relabel-config=x").contains("relabel"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.relabel-config=[{action: bogus}]")
                .contains("unknown relabel action"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.limits-config=x").contains("limits"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.limits-config={write: {defaults: {}}}")
                .contains("unknown field \"defaults\""), "strict limits YAML");
        assertTrue(refusal("--label=a=\"1\"", "--receive.limits-config-file=/nonexistent/limits.yaml")
                .contains("no such file"));
        assertTrue(refusal("--label=a=\"1\"", "--tsdb.retention=forever").contains("--tsdb.retention"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.tenant-certificate-field=commonName")
                .contains("needs TLS on the remote-write listener"));
        assertTrue(refusal("--label=a=\"1\"", "--receive.tenant-certificate-field=email").contains("enum value"));
        assertTrue(refusal("--label=a=\"1\"", "--remote-write.server-tls-client-ca=/tmp/ca.pem")
                .contains("a server key and certificate must also be provided"));
        assertTrue(refusal("--label=a=\"1\"", "--remote-write.server-tls-cert=/nonexistent/cert.pem",
                "--remote-write.server-tls-key=/nonexistent/key.pem").contains("no such file"));
        assertEquals("--objstore.config-file: open /nonexistent/objstore.yaml: no such file or directory",
                refusal("--label=a=\"1\"", "--objstore.config-file=/nonexistent/objstore.yaml"));
        assertTrue(refusal("--label=a=\"1\"", "--objstore.config={type: S3, config: {bucket: b, bogus: 1}}")
                .contains("bogus"), "unknown objstore key named");
    }

    @Test
    void mainExitsTwoWithOneLineOnBadFlags() {
        assertEquals(2, Main.run(new String[] {"receive", "--no-such-flag"}));
        assertEquals(2, Main.run(new String[] {"--label=a=\"1\"", "--tsdb.out-of-order.time-window=soon"}));
    }
}
