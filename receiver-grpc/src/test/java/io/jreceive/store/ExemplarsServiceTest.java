package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.ExemplarData;
import io.jreceive.proto.thanos.ExemplarsGrpc;
import io.jreceive.proto.thanos.ExemplarsRequest;
import io.jreceive.proto.thanos.Label;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ExemplarsServiceTest {
    @TempDir
    Path dir;

    private MultiTsdb tsdb;
    private StoreServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        tsdb = new MultiTsdb(new TsdbConfig(dir, StoreFixture.H2, 0, false, 0, Map.of("replica", "r1"), "tenant_id")
                .withMaxExemplars(100), new SimpleMeterRegistry());
        tsdb.open();
        server = new StoreServer(StoreConfig.plaintext("127.0.0.1", 0), tsdb).start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        write("a", new RemoteWriteRequests()
                .series(Labels.of("__name__", "m", "s", "1"), 1000, 1).exemplar(Labels.of("trace_id", "a1"), 1, 1000)
                .series(Labels.of("__name__", "m", "s", "2"), 1000, 2).exemplar(Labels.of("trace_id", "a2"), 2, 900)
                .series(Labels.of("__name__", "n", "replica", "own"), 1000, 2)
                .exemplar(Labels.of("trace_id", "n"), 3, 1000));
        write("a", new RemoteWriteRequests()
                .series(Labels.of("__name__", "m", "s", "1"), 2000, 1).exemplar(Labels.of("trace_id", "a3"), 1, 2000));
        write("b", new RemoteWriteRequests()
                .series(Labels.of("__name__", "m", "s", "1"), 1000, 1).exemplar(Labels.EMPTY, 5, 1000));
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        tsdb.close();
    }

    private void write(String tenant, RemoteWriteRequests r) {
        WriteBatch b = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        tsdb.write(tenant, b, ctx).join();
    }

    private static String text(List<Label> ls) {
        StringBuilder b = new StringBuilder("{");
        for (Label l : ls) {
            b.append(b.length() > 1 ? "," : "").append(l.getName()).append('=').append(l.getValue());
        }
        return b.append('}').toString();
    }

    private List<String> query(String q, long start, long end) {
        List<String> out = new ArrayList<>();
        ExemplarsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .exemplars(ExemplarsRequest.newBuilder().setQuery(q).setStart(start).setEnd(end).build())
                .forEachRemaining(r -> {
                    ExemplarData d = r.getData();
                    StringBuilder b = new StringBuilder(text(d.getSeriesLabels().getLabelsList()));
                    d.getExemplarsList().forEach(e -> b.append(' ').append(text(e.getLabels().getLabelsList()))
                            .append('=').append(e.getValue()).append('@').append(e.getTs()));
                    out.add(b.toString());
                });
        return out;
    }

    @Test
    void servesEveryTenantWithItsExternalLabels() {
        assertEquals(List.of(
                "{__name__=m,replica=r1,s=1,tenant_id=a} {trace_id=a1}=1.0@1000 {trace_id=a3}=1.0@2000",
                "{__name__=m,replica=r1,s=2,tenant_id=a} {trace_id=a2}=2.0@900",
                "{__name__=m,replica=r1,s=1,tenant_id=b} {}=5.0@1000"), query("rate(m[5m])", 0, 5000));
        assertEquals(List.of("{__name__=m,replica=r1,s=1,tenant_id=a} {trace_id=a1}=1.0@1000 {trace_id=a3}=1.0@2000",
                "{__name__=m,replica=r1,s=1,tenant_id=b} {}=5.0@1000"), query("m{s=\"1\"}", 1000, 2000));
        assertEquals(List.of("{__name__=m,replica=r1,s=1,tenant_id=a} {trace_id=a3}=1.0@2000"),
                query("m{s=\"1\"}", 1500, 2000), "time range, inclusive");
        assertEquals(List.of("{__name__=m,replica=r1,s=1,tenant_id=b} {}=5.0@1000"),
                query("m{tenant_id=\"b\"}", 0, 5000), "external-label matchers pick tenants");
        assertEquals(List.of("{__name__=n,replica=r1,tenant_id=a} {trace_id=n}=3.0@1000"),
                query("n", 0, 5000), "the external label wins over the series' own");
        assertEquals(List.of(), query("m{replica=\"r2\"}", 0, 5000));
    }

    @Test
    void errorsAsThanos() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> query("m{", 0, 1));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        e = assertThrows(StatusRuntimeException.class, () -> query("{tenant_id=\"a\"}", 0, 1));
        assertEquals(Status.Code.ABORTED, e.getStatus().getCode());
        assertEquals("get exemplars for tenant a: rpc error: code = InvalidArgument desc = no matchers specified "
                + "(excluding external labels)", e.getStatus().getDescription());
    }
}
