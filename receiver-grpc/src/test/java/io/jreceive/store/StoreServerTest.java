package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.labels.Labels;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.proto.thanos.StoreType;
import io.jreceive.proto.thanos.info.InfoGrpc;
import io.jreceive.proto.thanos.info.InfoRequest;
import io.jreceive.proto.thanos.info.InfoResponse;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The gRPC server: Info before and after ready, health, the snappy compressor and the request limits. */
class StoreServerTest {
    @TempDir
    Path dir;

    static final long T0 = 1_700_000_000_000L;

    static void writeSome(StoreFixture fx, String tenant, int series, int samples) {
        StoreFixture.Window w = fx.window();
        for (int s = 0; s < series; s++) {
            long[] t = new long[samples];
            double[] v = new double[samples];
            for (int i = 0; i < samples; i++) {
                t[i] = T0 + i * 15_000L;
                v[i] = s * 1000 + i;
            }
            w.add(tenant, Labels.of("__name__", "m", "s", Integer.toString(s)), t, v);
        }
        w.write();
    }

    static SeriesRequest all() {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(Long.MAX_VALUE).addMatchers(LabelMatcher
                .newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("m")).build();
    }

    @Test
    void infoAndHealthFollowReadiness() throws Exception {
        MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir, StoreFixture.H2, 0, false, 0, Map.of("replica", "r1"),
                "tenant_id"), new SimpleMeterRegistry());
        StoreServer server = new StoreServer(StoreConfig.plaintext("127.0.0.1", 0), tsdb).start();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            InfoGrpc.InfoBlockingStub info = InfoGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> info.info(InfoRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
            assertEquals("Not ready", e.getStatus().getDescription());
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(ch);
            assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING,
                    health.check(HealthCheckRequest.getDefaultInstance()).getStatus());

            tsdb.open();
            InfoResponse r = info.info(InfoRequest.getDefaultInstance());
            assertEquals("receive", r.getComponentType());
            assertEquals(Long.MIN_VALUE, r.getStore().getMinTime(), "no tenants yet");
            assertEquals(Long.MAX_VALUE, r.getStore().getMaxTime());
            assertEquals(0, r.getLabelSetsCount());
            assertTrue(r.getStore().getSupportsSharding() && r.getStore().getSupportsWithoutReplicaLabels());
            assertTrue(r.hasExemplars() && r.getExemplars().getMinTime() == 0);
            assertFalse(r.hasRules() || r.hasTargets() || r.hasMetricMetadata() || r.hasQuery());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (health.check(HealthCheckRequest.getDefaultInstance()).getStatus()
                    != HealthCheckResponse.ServingStatus.SERVING && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                    health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
            tsdb.close();
        }
    }

    @Test
    void infoListsTenants() throws Exception {
        try (StoreFixture fx = new StoreFixture(dir, Map.of("replica", "r1"), 0, 0)) {
            writeSome(fx, "b", 2, 10);
            writeSome(fx, "a", 1, 10);
            InfoResponse r = InfoGrpc.newBlockingStub(fx.channel).info(InfoRequest.getDefaultInstance());
            assertEquals(2, r.getLabelSetsCount());
            assertEquals("a", r.getLabelSets(0).getLabels(1).getValue());
            assertEquals("tenant_id", r.getLabelSets(0).getLabels(1).getName());
            assertEquals("replica", r.getLabelSets(0).getLabels(0).getName());
            assertEquals(T0, r.getStore().getMinTime());
            assertEquals(2, r.getStore().getTsdbInfosCount());
            assertEquals(T0, r.getStore().getTsdbInfos(1).getMinTime());
            assertEquals("b", r.getStore().getTsdbInfos(1).getLabels().getLabels(1).getValue());

            io.jreceive.proto.thanos.InfoResponse legacy = fx.store().info(
                    io.jreceive.proto.thanos.InfoRequest.getDefaultInstance());
            assertEquals(StoreType.RECEIVE, legacy.getStoreType());
            assertEquals(2, legacy.getLabelSetsCount());
            assertEquals(T0, legacy.getMinTime());
        }
    }

    @Test
    void snappyCompressionIsNegotiated() throws Exception {
        try (StoreFixture fx = new StoreFixture(dir, Map.of(), 0, 0)) {
            writeSome(fx, "t", 50, 500);
            CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
            compressors.register(new SnappyCodec());
            DecompressorRegistry decompressors = DecompressorRegistry.emptyInstance()
                    .with(Codec.Identity.NONE, false).with(new SnappyCodec(), true);
            AtomicReference<String> answerEncoding = new AtomicReference<>();
            ClientInterceptor seeHeaders = new ClientInterceptor() {
                @Override
                public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> m, CallOptions o, Channel next) {
                    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(m, o)) {
                        @Override
                        public void start(Listener<A> l, Metadata headers) {
                            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(l) {
                                @Override
                                public void onHeaders(Metadata h) {
                                    answerEncoding.set(h.get(Metadata.Key.of("grpc-encoding",
                                            Metadata.ASCII_STRING_MARSHALLER)));
                                    super.onHeaders(h);
                                }
                            }, headers);
                        }
                    };
                }
            };
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", fx.server.port()).usePlaintext()
                    .compressorRegistry(compressors).decompressorRegistry(decompressors).intercept(seeHeaders)
                    .build();
            try {
                List<SeriesResponse> frames = new ArrayList<>();
                StoreGrpc.newBlockingStub(ch).withCompression(SnappyCodec.NAME).series(all())
                        .forEachRemaining(frames::add);
                assertEquals("snappy", answerEncoding.get(), "answer compressed with snappy");
                List<StoreFixture.Answer> got = StoreFixture.decode(frames);
                assertEquals(50, got.size());
                assertEquals(500 * 50, got.stream().mapToInt(a -> a.samples().size()).sum());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void requestLimits() throws Exception {
        try (StoreFixture fx = new StoreFixture(dir, Map.of(), 5, 0)) {
            writeSome(fx, "t", 5, 10);
            assertEquals(5, StoreFixture.decode(fx.series(all())).size(), "at the limit");
            writeSome(fx, "u", 1, 10);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fx.series(all()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("series limit"), e.getStatus().getDescription());
        }
        try (StoreFixture fx = new StoreFixture(dir.resolve("s"), Map.of(), 0, 100)) {
            writeSome(fx, "t", 2, 50);
            assertEquals(100, StoreFixture.decode(fx.series(all())).stream().mapToInt(a -> a.samples().size())
                    .sum());
            writeSome(fx, "u", 1, 1);
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fx.series(all()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("samples limit"), e.getStatus().getDescription());
        }
    }
}
