package io.jreceive.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code GET /api/v1/status/tsdb} as Thanos Receive serves it (on the remote-write listener; jreceive also serves it
 * on the ops listener): the cardinality statistics of the tenant named by the tenant header, else by the
 * {@code tenant} query parameter (jreceive's addition, for a browser), else of the default tenant; of every tenant
 * with {@code all_tenants=true}; at most {@code limit} entries per list (default 10). The answer is Thanos' API
 * envelope: {@code {"status":"success","data":[...]}}, one object per tenant that exists (an unknown tenant gives an
 * empty list), or {@code {"status":"error","errorType":"bad_data","error":"..."}} with 400 for a bad {@code limit}
 * or {@code all_tenants} together with a tenant header, and 500 {@code internal} {@code service unavailable} before
 * the storage is ready.
 */
public final class TsdbStatusApi {
    public static final String PATH = "/api/v1/status/tsdb";
    /** Thanos' {@code DefaultStatsLimit}. */
    static final int DEFAULT_LIMIT = 10;

    /** The statistics themselves: the {@code data} array for {@code tenants} (null = every tenant). */
    @FunctionalInterface
    public interface Stats {
        String json(List<String> tenants, int limit);
    }

    private final Stats stats;
    private final String tenantHeader;
    private final String defaultTenant;
    private final BooleanSupplier ready;

    public TsdbStatusApi(Stats stats, String tenantHeader, String defaultTenant, BooleanSupplier ready) {
        this.stats = stats;
        this.tenantHeader = tenantHeader;
        this.defaultTenant = defaultTenant;
        this.ready = ready;
    }

    /** The tenant label of this request's meters, as Thanos' instrumentation takes it. */
    String meterTenant(FullHttpRequest req) {
        String t = req.headers().get(tenantHeader);
        return t == null || t.isEmpty() ? defaultTenant : t;
    }

    /** Answers one request (a GET of {@link #PATH}); runs the statistics, so not on a busy event loop. */
    public FullHttpResponse answer(FullHttpRequest req) {
        if (!ready.getAsBoolean()) {
            return json(HttpResponseStatus.INTERNAL_SERVER_ERROR, error("internal", "service unavailable"));
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String header = req.headers().get(tenantHeader);
        boolean all = "true".equals(param(q, "all_tenants"));
        if (all && header != null && !header.isEmpty()) {
            return json(HttpResponseStatus.BAD_REQUEST, error("bad_data", "using both the all_tenants parameter and "
                    + "the " + tenantHeader + " header is not supported"));
        }
        int limit = DEFAULT_LIMIT;
        String l = param(q, "limit");
        if (l != null && !l.isEmpty()) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                return json(HttpResponseStatus.BAD_REQUEST, error("bad_data", "unable to parse 'limit' parameter: "
                        + "strconv.ParseInt: parsing " + quote(l) + ": invalid syntax"));
            }
        }
        String data;
        if (all) {
            data = stats.json(null, limit);
        } else {
            String tenant = header;
            if (tenant == null || tenant.isEmpty()) {
                tenant = param(q, "tenant");
            }
            data = stats.json(List.of(tenant == null || tenant.isEmpty() ? defaultTenant : tenant), limit);
        }
        return json(HttpResponseStatus.OK, "{\"status\":\"success\",\"data\":" + data + "}");
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String error(String type, String message) {
        return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":" + quote(message) + "}";
    }

    /** A JSON string literal. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        if (status.code() != 200) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        return r;
    }
}
