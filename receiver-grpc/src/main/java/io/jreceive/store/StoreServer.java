package io.jreceive.store;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.jreceive.ingest.Transport;
import io.jreceive.tsdb.MultiTsdb;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;

/**
 * The receiver's gRPC endpoint ({@code --grpc-address}): the StoreAPI, the Info API, {@code grpc.health.v1} and
 * server reflection ({@code grpc.reflection.v1} and {@code v1alpha}, so grpcurl works without proto files, as with
 * Thanos) on a grpc-netty server using jreceive's Netty transport (epoll when available). Inbound messages are unlimited
 * in size as in Thanos; the {@code snappy} (framed) and {@code gzip} compressors are registered, and an answer is
 * compressed with whatever the request came compressed with, as grpc-go does. TLS is optional, with client
 * certificates required when a client CA is given. Health turns SERVING once the storage is ready and back when it
 * is not. {@link #close()} stops accepting calls and waits up to the grace period for running ones.
 */
public final class StoreServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreServer.class);
    /** How often health follows {@link MultiTsdb#ready()}. */
    private static final long HEALTH_POLL_MS = 500;

    private final StoreConfig config;
    private final MultiTsdb tsdb;
    private final EventLoopGroup group;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;
    private ScheduledFuture<?> healthPoll;

    public StoreServer(StoreConfig config, MultiTsdb tsdb) throws SSLException {
        this(config, tsdb, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** As above, with the gRPC server metrics registered in {@code registry}. */
    public StoreServer(StoreConfig config, MultiTsdb tsdb, io.micrometer.core.instrument.MeterRegistry registry)
            throws SSLException {
        this(config, tsdb, registry, java.util.List.of());
    }

    /**
     * As above, also serving {@code extra} services on the same port (the receiver's write service), with the same
     * compression and metrics.
     */
    public StoreServer(StoreConfig config, MultiTsdb tsdb, io.micrometer.core.instrument.MeterRegistry registry,
                       java.util.List<io.grpc.ServerServiceDefinition> extra) throws SSLException {
        this.config = config;
        this.tsdb = tsdb;
        this.group = Transport.group(0, "grpc");
        Codec snappy = new SnappyCodec();
        CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(snappy);
        compressors.register(new Codec.Gzip());
        DecompressorRegistry decompressors = DecompressorRegistry.emptyInstance()
                .with(Codec.Identity.NONE, false).with(snappy, true).with(new Codec.Gzip(), true);
        GrpcServerMetrics metrics = new GrpcServerMetrics(registry);
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
                .channelType(Transport.serverChannel()).bossEventLoopGroup(group).workerEventLoopGroup(group)
                .maxInboundMessageSize(Integer.MAX_VALUE).maxInboundMetadataSize(1 << 20)
                .compressorRegistry(compressors).decompressorRegistry(decompressors)
                .addService(ServerInterceptors.intercept(new StoreService(tsdb, config.maxSeries(),
                        config.maxSamples()), new AnswerCompression(), metrics))
                .addService(ServerInterceptors.intercept(new InfoService(tsdb), new AnswerCompression(), metrics))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(reflectionV1Alpha());
        if (config.maxConnectionAgeMs() > 0) {
            b.maxConnectionAge(config.maxConnectionAgeMs(), TimeUnit.MILLISECONDS);
        }
        for (io.grpc.ServerServiceDefinition service : extra) {
            b.addService(ServerInterceptors.intercept(service, new AnswerCompression(), metrics));
        }
        if (config.tlsCert() != null) {
            SslContextBuilder ssl = GrpcSslContexts.forServer(config.tlsCert().toFile(), config.tlsKey().toFile());
            if (config.tlsClientCa() != null) {
                ssl.trustManager(config.tlsClientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            ssl.protocols(StoreConfig.tlsProtocols(config.tlsMinVersion()));
            b.sslContext(ssl.build());
        }
        this.server = b.build();
        health.setStatus("", ServingStatus.NOT_SERVING);
    }

    /**
     * Server reflection under its pre-release name {@code grpc.reflection.v1alpha}, which grpc-go (so Thanos) serves
     * beside {@code v1} and which grpcurl before 1.8.8 and older tools only know.
     */
    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService reflectionV1Alpha() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    /** Binds and starts serving. */
    public StoreServer start() throws IOException {
        server.start();
        followReadiness();
        healthPoll = group.scheduleAtFixedRate(this::followReadiness, HEALTH_POLL_MS, HEALTH_POLL_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("gRPC StoreAPI listening on {}:{} ({}{})", config.host(), port(), Transport.name(),
                config.tlsCert() != null ? ", TLS" : "");
        return this;
    }

    private void followReadiness() {
        health.setStatus("", tsdb.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    /** The bound port (the chosen one when configured with 0). */
    public int port() {
        return server.getPort();
    }

    /** Stops accepting calls, lets running ones finish within the grace period, then cancels the rest. */
    @Override
    public void close() {
        if (healthPoll != null) {
            healthPoll.cancel(false);
        }
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(config.gracePeriodMs(), TimeUnit.MILLISECONDS)) {
                LOG.warn("gRPC calls still running after the {} ms grace period; cancelling them",
                        config.gracePeriodMs());
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Compresses answers with the request's {@code grpc-encoding} when it is a registered compressor. */
    private static final class AnswerCompression implements ServerInterceptor {
        private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding",
                Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                          ServerCallHandler<Q, A> next) {
            String enc = headers.get(ENCODING);
            if (SnappyCodec.NAME.equals(enc) || "gzip".equals(enc)) {
                call.setCompression(enc);
            }
            return next.startCall(call, headers);
        }
    }
}
