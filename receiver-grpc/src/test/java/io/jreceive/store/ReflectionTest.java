package io.jreceive.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.jreceive.proto.thanos.info.InfoGrpc;
import io.jreceive.proto.thanos.info.InfoRequest;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Server reflection, as grpcurl uses it without proto files: the service list names the StoreAPI, Info, health and
 * reflection itself, and the file holding {@code thanos.Store} describes its methods. Also: the gRPC latency
 * histogram keeps Thanos' 14 buckets.
 */
class ReflectionTest {
    @TempDir
    Path dir;

    /** One reflection request on a fresh stream, answered with one response. */
    private static ServerReflectionResponse ask(ManagedChannel ch, ServerReflectionRequest req) throws Exception {
        java.util.concurrent.CompletableFuture<ServerReflectionResponse> answer =
                new java.util.concurrent.CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> out = ServerReflectionGrpc.newStub(ch).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.complete(null);
                    }
                });
        out.onNext(req);
        out.onCompleted();
        return answer.get(30, TimeUnit.SECONDS);
    }

    @Test
    void listsTheServicesAndDescribesTheStoreApi() throws Exception {
        MultiTsdb tsdb = new MultiTsdb(new TsdbConfig(dir, StoreFixture.H2, 0, false, 0, Map.of("replica", "r1"),
                "tenant_id"), new SimpleMeterRegistry());
        tsdb.open();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StoreServer server = new StoreServer(StoreConfig.plaintext("127.0.0.1", 0), tsdb, registry).start();
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            ServerReflectionResponse list = ask(ch, ServerReflectionRequest.newBuilder().setListServices("").build());
            Set<String> services = new TreeSet<>();
            for (ServiceResponse s : list.getListServicesResponse().getServiceList()) {
                services.add(s.getName());
            }
            assertTrue(services.containsAll(Set.of("thanos.Store", "thanos.info.Info", "grpc.health.v1.Health",
                    "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection")),
                    services.toString());

            ServerReflectionResponse file = ask(ch, ServerReflectionRequest.newBuilder()
                    .setFileContainingSymbol("thanos.Store").build());
            Set<String> methods = new TreeSet<>();
            for (var bytes : file.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                FileDescriptorProto fd = FileDescriptorProto.parseFrom(bytes);
                fd.getServiceList().stream().filter(s -> s.getName().equals("Store"))
                        .forEach(s -> s.getMethodList().forEach(m -> methods.add(m.getName())));
            }
            assertTrue(methods.containsAll(Set.of("Series", "LabelNames", "LabelValues")), methods.toString());

            // The services reflection describes answer, and their latency histogram has Thanos' 14 buckets.
            InfoGrpc.newBlockingStub(ch).info(InfoRequest.getDefaultInstance());
            assertEquals(GrpcServerMetrics.HANDLING_BUCKETS.length, registry.find("grpc.server.handling")
                    .tag("grpc_method", "Info").timer().takeSnapshot().histogramCounts().length);
        } finally {
            ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
            tsdb.close();
        }
    }
}
