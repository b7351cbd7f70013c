package io.jreceive.ring.replication;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.jreceive.proto.thanos.WriteableStoreGrpc;
import io.jreceive.ring.Endpoint;
import io.jreceive.store.SnappyCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

/**
 * One gRPC channel per peer, opened on first use, and each peer's back-off state, as Thanos' {@code peerGroup}: a
 * forward answered {@code Unavailable} (or a peer that cannot be dialled) marks the peer unavailable until
 * {@link Backoff#forAttempt} has passed; meanwhile its writes fail at once with
 * {@code backing off forward request for endpoint ...: target not available}. Any success clears the state; a ring
 * change closes the channels of endpoints that left and clears every state. Forwards are unary
 * {@code thanos.WriteableStore/RemoteWrite} calls carrying pre-encoded bytes, with the configured deadline and
 * compression. Per-peer metrics: {@code thanos_receive_forward_requests_total{result}} (Thanos' name, plus an
 * {@code endpoint} label), {@code jreceive_forward_duration_seconds{endpoint}} and
 * {@code jreceive_forward_backoffs_total{endpoint}}.
 */
public final class PeerClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerClients.class);
    /** The write method with raw-bytes marshalling: requests are encoded by {@link ForwardEncoder}. */
    static final MethodDescriptor<byte[], byte[]> REMOTE_WRITE = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(WriteableStoreGrpc.SERVICE_NAME,
                    "RemoteWrite"))
            .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();

    private final ForwardClientConfig config;
    private final MeterRegistry registry;
    private final Map<Endpoint, Peer> peers = new ConcurrentHashMap<>();
    private final CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    private final DecompressorRegistry decompressors;

    /** Raw bytes in and out. */
    enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final class Peer {
        final Endpoint endpoint;
        final ManagedChannel channel;
        final Counter ok;
        final Counter failed;
        final Counter backoffs;
        final Timer duration;
        /** System.nanoTime() before which the peer is not tried; valid while {@link #attempt} > 0. */
        volatile long retryAt;
        int attempt;

        Peer(Endpoint endpoint) {
            this.endpoint = endpoint;
            this.channel = channel(endpoint.address());
            String ep = endpoint.address();
            ok = Counter.builder("thanos_receive_forward_requests_total").tag("result", "success").tag("endpoint", ep)
                    .register(registry);
            failed = Counter.builder("thanos_receive_forward_requests_total").tag("result", "error")
                    .tag("endpoint", ep).register(registry);
            backoffs = Counter.builder("jreceive_forward_backoffs_total").tag("endpoint", ep)
                    .description("Times the peer was marked unavailable and backed off.").register(registry);
            duration = Timer.builder("jreceive_forward_duration_seconds").tag("endpoint", ep)
                    .description("Forward latency per peer.").register(registry);
        }

        synchronized void unavailable() {
            long wait = Backoff.forAttempt(attempt, TimeUnit.MILLISECONDS.toNanos(config.maxBackoffMs()),
                    ThreadLocalRandom.current().nextDouble());
            attempt++;
            retryAt = System.nanoTime() + wait;
            backoffs.increment();
        }

        synchronized void available() {
            attempt = 0;
        }

        synchronized boolean backingOff() {
            return attempt > 0 && System.nanoTime() - retryAt < 0;
        }
    }

    public PeerClients(ForwardClientConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        Codec snappy = new SnappyCodec();
        compressors.register(snappy);
        compressors.register(new Codec.Gzip());
        decompressors = DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false).with(snappy, true)
                .with(new Codec.Gzip(), true);
    }

    private ManagedChannel channel(String address) {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(address)
                .keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS)
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .compressorRegistry(compressors).decompressorRegistry(decompressors);
        if (!config.tlsSecure()) {
            return b.usePlaintext().build();
        }
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            if (config.tlsSkipVerify()) {
                ssl.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (config.tlsCa() != null) {
                ssl.trustManager(config.tlsCa().toFile());
            }
            if (config.tlsCert() != null) {
                ssl.keyManager(config.tlsCert().toFile(), config.tlsKey().toFile());
            }
            b.sslContext(ssl.build()).useTransportSecurity();
            if (!config.tlsServerName().isEmpty()) {
                b.overrideAuthority(config.tlsServerName());
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("--remote-write.client-tls-*: " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code request} (an encoded {@code thanos.WriteRequest}) to {@code endpoint}; the future never fails, it
     * completes with null on success or the classified {@link Failure}.
     */
    CompletableFuture<Failure> forward(Endpoint endpoint, byte[] request) {
        Peer peer = peers.computeIfAbsent(endpoint, Peer::new);
        CompletableFuture<Failure> out = new CompletableFuture<>();
        if (peer.backingOff()) {
            peer.failed.increment();
            out.complete(new Failure(Failure.Kind.UNAVAILABLE, "backing off forward request for endpoint "
                    + endpoint + ": target not available"));
            return out;
        }
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(config.timeoutMs(), TimeUnit.MILLISECONDS);
        if ("snappy".equals(config.compression())) {
            options = options.withCompression(SnappyCodec.NAME);
        }
        final long start = System.nanoTime();
        ClientCall<byte[], byte[]> call = peer.channel.newCall(REMOTE_WRITE, options);
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
            }

            @Override
            public void onError(Throwable t) {
                peer.duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                peer.failed.increment();
                Status st = Status.fromThrowable(t);
                if (st.getCode() == Status.Code.UNAVAILABLE) {
                    peer.unavailable();
                }
                out.complete(classify(endpoint, st));
            }

            @Override
            public void onCompleted() {
                peer.duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                peer.ok.increment();
                peer.available();
                out.complete(null);
            }
        });
        return out;
    }

    /** Thanos' classification of a forward's gRPC status, with its error text. */
    static Failure classify(Endpoint endpoint, Status st) {
        String desc = st.getDescription() == null ? "" : st.getDescription();
        String text = "forwarding request to endpoint " + endpoint + ": rpc error: code = " + goName(st.getCode())
                + " desc = " + desc;
        return switch (st.getCode()) {
            case ALREADY_EXISTS -> new Failure(Failure.Kind.CONFLICT, text);
            case UNAVAILABLE -> new Failure(Failure.Kind.UNAVAILABLE, text);
            case DEADLINE_EXCEEDED -> new Failure(Failure.Kind.INTERNAL, "forwarding request to endpoint " + endpoint
                    + ": context deadline exceeded");
            default -> new Failure(Failure.Kind.INTERNAL, text);
        };
    }

    /** grpc-go's spelling of a code: {@code ALREADY_EXISTS} is {@code AlreadyExists}. */
    static String goName(Status.Code code) {
        StringBuilder b = new StringBuilder();
        for (String part : code.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString().replace("Ok", "OK");
    }

    /** A ring change: channels of endpoints no longer in the ring are closed, every back-off state is cleared. */
    public void retainOnly(Set<Endpoint> endpoints) {
        for (Map.Entry<Endpoint, Peer> e : peers.entrySet()) {
            if (!endpoints.contains(e.getKey())) {
                peers.remove(e.getKey());
                e.getValue().channel.shutdown();
            } else {
                e.getValue().available();
            }
        }
    }

    @Override
    public void close() {
        for (Peer p : peers.values()) {
            p.channel.shutdown();
        }
        for (Peer p : peers.values()) {
            try {
                if (!p.channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    p.channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                p.channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        peers.clear();
        LOG.debug("peer channels closed");
    }
}
