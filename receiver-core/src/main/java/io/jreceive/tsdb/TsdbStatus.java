package io.jreceive.tsdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.jreceive.head.Head;

/**
 * Cardinality statistics of tenants' heads in the JSON shape of Thanos Receive's {@code GET /api/v1/status/tsdb}
 * (Prometheus' {@code TSDBStatus} plus a {@code tenant} field, one object per tenant in a list sorted by tenant):
 * {@code headStats} (series, label pairs, chunks, min and max time), and the top {@code limit} of
 * {@code seriesCountByMetricName}, {@code labelValueCountByLabelName}, {@code memoryInBytesByLabelName} and
 * {@code seriesCountByLabelValuePair}, each a list of {@code {"name", "value"}} by value, highest first (ties by
 * name, where Prometheus leaves them in map order). Label memory is counted as Prometheus' default build counts it:
 * per series, name and value bytes plus 16 bytes for each string header.
 *
 * <p>{@code chunkCount} is 0: Thanos takes it from its {@code prometheus_tsdb_head_chunks} gauge, which jreceive's
 * head does not keep.
 */
public final class TsdbStatus {
    /** Prometheus' {@code labels.SizeOfLabels} per string: a Go string header is 16 bytes on 64-bit machines. */
    private static final int STRING_HEADER = 16;
    private static final JsonFactory JSON = new JsonFactory();

    private TsdbStatus() {
    }

    /** One counted name, as Prometheus' {@code index.Stat}. */
    record Stat(String name, long value) {
    }

    /** One tenant's statistics. */
    record TenantStatus(String tenant, long numSeries, long numLabelPairs, long minTime, long maxTime,
                        List<Stat> seriesCountByMetricName, List<Stat> labelValueCountByLabelName,
                        List<Stat> memoryInBytesByLabelName, List<Stat> seriesCountByLabelValuePair) {
    }

    /**
     * The statistics of {@code tenants} that exist (every tenant when null), sorted by tenant, as the {@code data}
     * array of Thanos' answer; a tenant that does not exist is left out, as Thanos does.
     */
    public static String json(MultiTsdb tsdb, List<String> tenants, int limit) {
        List<TenantStatus> out = new ArrayList<>();
        if (tenants == null) {
            for (TenantDb db : tsdb.tenants()) {
                out.add(of(db.tenant(), db.head(), limit));
            }
        } else {
            for (TenantDb db : tsdb.tenants()) {
                if (tenants.contains(db.tenant())) {
                    out.add(of(db.tenant(), db.head(), limit));
                }
            }
        }
        out.sort(Comparator.comparing(TenantStatus::tenant));
        return write(out);
    }

    /** The statistics of one head, as Prometheus' {@code Head.Stats(__name__, limit)} computes them. */
    static TenantStatus of(String tenant, Head head, int limit) {
        TopK metrics = new TopK(limit);
        TopK labels = new TopK(limit);
        TopK memory = new TopK(limit);
        TopK pairs = new TopK(limit);
        long numLabelPairs = 0;
        for (byte[] nameBytes : head.labelNames()) {
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            boolean metricName = name.equals("__name__");
            long values = 0;
            long size = 0;
            for (byte[] valueBytes : head.labelValues(nameBytes)) {
                int series = head.postings(nameBytes, valueBytes).length;
                if (series == 0) {
                    continue;
                }
                values++;
                String value = new String(valueBytes, StandardCharsets.UTF_8);
                if (metricName) {
                    metrics.add(value, series);
                }
                pairs.add(name + "=" + value, series);
                size += (long) (nameBytes.length + STRING_HEADER + valueBytes.length + STRING_HEADER) * series;
            }
            if (values == 0) {
                continue;
            }
            numLabelPairs += values;
            labels.add(name, values);
            memory.add(name, size);
        }
        return new TenantStatus(tenant, head.numSeries(), numLabelPairs, head.minTime(), head.maxTime(),
                metrics.sorted(), labels.sorted(), memory.sorted(), pairs.sorted());
    }

    private static String write(List<TenantStatus> statuses) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartArray();
            for (TenantStatus s : statuses) {
                g.writeStartObject();
                g.writeStringField("tenant", s.tenant());
                g.writeObjectFieldStart("headStats");
                g.writeNumberField("numSeries", s.numSeries());
                g.writeNumberField("numLabelPairs", s.numLabelPairs());
                g.writeNumberField("chunkCount", 0);
                g.writeNumberField("minTime", s.minTime());
                g.writeNumberField("maxTime", s.maxTime());
                g.writeEndObject();
                stats(g, "seriesCountByMetricName", s.seriesCountByMetricName());
                stats(g, "labelValueCountByLabelName", s.labelValueCountByLabelName());
                stats(g, "memoryInBytesByLabelName", s.memoryInBytesByLabelName());
                stats(g, "seriesCountByLabelValuePair", s.seriesCountByLabelValuePair());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void stats(JsonGenerator g, String field, List<Stat> stats) throws IOException {
        g.writeArrayFieldStart(field);
        for (Stat s : stats) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            g.writeNumberField("value", s.value());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The {@code k} highest counts seen, kept in a bounded min-heap. */
    private static final class TopK {
        private static final Comparator<Stat> ORDER =
                Comparator.comparingLong(Stat::value).reversed().thenComparing(Stat::name);
        private final int k;
        /** Worst first, so the one to drop is at the head. */
        private final java.util.PriorityQueue<Stat> heap = new java.util.PriorityQueue<>(ORDER.reversed());

        TopK(int k) {
            this.k = k;
        }

        void add(String name, long value) {
            if (k <= 0) {
                return;
            }
            Stat s = new Stat(name, value);
            if (heap.size() < k) {
                heap.add(s);
            } else if (ORDER.compare(s, heap.peek()) < 0) {
                heap.poll();
                heap.add(s);
            }
        }

        List<Stat> sorted() {
            List<Stat> out = new ArrayList<>(heap);
            out.sort(ORDER);
            return out;
        }
    }
}
