package io.jreceive.ring.replication;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import com.google.protobuf.CodedInputStream;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.DecodeException;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.ingest.RoutedWriteException;
import io.jreceive.ingest.WriteRouter;
import io.jreceive.proto.thanos.WriteableStoreGrpc;

/**
 * The server side of {@code thanos.WriteableStore/RemoteWrite}, served on the gRPC port: reads {@code tenant = 2} and
 * {@code replica = 3} of the {@code thanos.WriteRequest}, decodes its time series ({@code timeseries = 1}, the same
 * layout as a remote-write request) with the ingest decoder and hands them to the {@link WriteRouter}, which honours
 * the replica in router-ingestor mode and ignores it otherwise. Answers as Thanos: OK with an empty
 * {@code WriteResponse}; a conflict is {@code AlreadyExists}, an unavailable replica {@code Unavailable}, a bad
 * replica {@code InvalidArgument}, anything else {@code Internal}; the message is the error text. As in Thanos, no
 * request limits and no tenant validation apply on this path; an empty tenant is the default tenant.
 */
public final class WriteableStoreService {
    private final WriteRouter router;
    private final String defaultTenant;
    private final RemoteWriteLimits limits;

    private static final class Scratch {
        final RemoteWriteDecoder decoder = new RemoteWriteDecoder();
        final WriteBatch batch = new WriteBatch();
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public WriteableStoreService(WriteRouter router, String defaultTenant, RemoteWriteLimits limits) {
        this.router = router;
        this.defaultTenant = defaultTenant;
        this.limits = limits;
    }

    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(WriteableStoreGrpc.SERVICE_NAME)
                .addMethod(PeerClients.REMOTE_WRITE, ServerCalls.asyncUnaryCall(this::remoteWrite)).build();
    }

    /** The request's {@code tenant = 2} and {@code replica = 3}, which follow its time series. */
    private record Header(String tenant, long replica) {
    }

    /**
     * Reads the header fields, skipping the time series: a loop of its own, so that the JIT compiles it (and replaces
     * it on the stack) apart from {@link #remoteWrite}.
     */
    private static Header header(byte[] request) throws IOException {
        String tenant = "";
        long replica = 0;
        CodedInputStream in = CodedInputStream.newInstance(request);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (2 << 3) | 2 -> tenant = in.readStringRequireUtf8();
                case 3 << 3 -> replica = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        return new Header(tenant, replica);
    }

    private void remoteWrite(byte[] request, StreamObserver<byte[]> answer) {
        Header h;
        try {
            h = header(request);
        } catch (IOException e) {
            answer.onError(Status.INVALID_ARGUMENT.withDescription("decode WriteRequest: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        String tenant = h.tenant().isEmpty() ? defaultTenant : h.tenant();
        long replica = h.replica();
        Scratch sc = SCRATCH.get();
        try {
            sc.decoder.decode(request, request.length, sc.batch, limits);
        } catch (DecodeException e) {
            answer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        router.write(tenant, replica, sc.batch).whenComplete((ok, err) -> {
            if (err == null) {
                answer.onNext(new byte[0]);
                answer.onCompleted();
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            answer.onError(status(cause).asRuntimeException());
        });
    }

    /** One place for the mapping of a routed write's outcome to a gRPC status. */
    static Status status(Throwable cause) {
        if (cause instanceof RoutedWriteException rw) {
            Status s = switch (rw.status()) {
                case 409 -> Status.ALREADY_EXISTS;
                case 503 -> Status.UNAVAILABLE;
                case 400 -> Status.INVALID_ARGUMENT;
                default -> Status.INTERNAL;
            };
            return s.withDescription(rw.getMessage());
        }
        return Status.INTERNAL.withDescription(cause.toString());
    }
}
