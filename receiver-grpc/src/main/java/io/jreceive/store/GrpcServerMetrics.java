package io.jreceive.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Server-side gRPC metrics under the go-grpc-prometheus names Thanos exposes, so its dashboards work unchanged:
 * {@code grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}} and
 * {@code grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method}} (a histogram with the 14 buckets Thanos'
 * gRPC server sets, 1 ms to 120 s, instead of Micrometer's ~70 percentile buckets per method).
 */
final class GrpcServerMetrics implements ServerInterceptor {
    /** Thanos' {@code pkg/server/grpc} handling-time buckets. */
    static final Duration[] HANDLING_BUCKETS = buckets(0.001, 0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120);

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> handled = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> handling = new ConcurrentHashMap<>();

    GrpcServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        final long start = System.nanoTime();
        final MethodDescriptor<Q, A> m = call.getMethodDescriptor();
        final String type = switch (m.getType()) {
            case UNARY -> "unary";
            case SERVER_STREAMING -> "server_stream";
            case CLIENT_STREAMING -> "client_stream";
            case BIDI_STREAMING -> "bidi_stream";
            default -> "unknown";
        };
        final String service = m.getServiceName();
        final String method = m.getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(type, service, method, status.getCode(), System.nanoTime() - start);
                super.close(status, trailers);
            }
        }, headers);
    }

    private void record(String type, String service, String method, Status.Code code, long nanos) {
        String key = type + '\0' + service + '\0' + method;
        handled.computeIfAbsent(key + '\0' + code, k -> Counter.builder("grpc.server.handled")
                .description("RPCs completed on the server, regardless of success or failure")
                .tag("grpc_type", type).tag("grpc_service", service).tag("grpc_method", method)
                .tag("grpc_code", codeName(code)).register(registry)).increment();
        handling.computeIfAbsent(key, k -> Timer.builder("grpc.server.handling")
                .description("Response latency of RPCs handled by the server")
                .tag("grpc_type", type).tag("grpc_service", service).tag("grpc_method", method)
                .serviceLevelObjectives(HANDLING_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return d;
    }

    /** grpc-go's code names ({@code OK}, {@code InvalidArgument}, ...), as go-grpc-prometheus labels them. */
    private static String codeName(Status.Code code) {
        StringBuilder sb = new StringBuilder();
        boolean upper = true;
        for (char c : code.name().toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return code == Status.Code.OK ? "OK" : sb.toString();
    }
}
