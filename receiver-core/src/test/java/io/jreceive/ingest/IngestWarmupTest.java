package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;

class IngestWarmupTest {
    private static RemoteWriteConfig config(RemoteWriteLimits limits) {
        return new RemoteWriteConfig("127.0.0.1", 0, RemoteWriteConfig.DEFAULT_TENANT_HEADER,
                RemoteWriteConfig.DEFAULT_TENANT, limits, 1, 0);
    }

    @Test
    void everyRequestIsAnsweredAndEveryHeadHoldsWhatWasSent() {
        // Heads of 2000, 2000 and 1000 series, requests of 1000 series, 3 rounds: (2 + 2 + 1) x 3 requests.
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS), 5000, 3, 1000, 2000);
        assertEquals(15, r.requests());
        assertEquals(5000, r.series());
        assertEquals(15_000, r.samples());
    }

    @Test
    void aLastRequestSmallerThanTheOthersIsBuiltForItsOwnSeries() {
        IngestWarmup.Result r = IngestWarmup.run(config(RemoteWriteLimits.DEFAULTS), 2500, 2, 1000, 1500);
        // Heads of 1500 and 1000 series: requests of 1000 + 500, then 1000, each twice.
        assertEquals(6, r.requests());
        assertEquals(5000, r.samples());
    }

    @Test
    void anAnswerOtherThan200FailsTheWarmupWithTheAnswer() {
        RemoteWriteLimits fewLabels = new RemoteWriteLimits(RemoteWriteLimits.DEFAULT_MAX_BYTES,
                RemoteWriteLimits.DEFAULT_MAX_BYTES, 0, 0, 3, RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> IngestWarmup.run(config(fewLabels), 100, 1, 100, 100));
        assertTrue(e.getMessage().contains("409 Conflict"), e.getMessage());

        RemoteWriteLimits tinyBodies = new RemoteWriteLimits(64, 64, 0, 0, RemoteWriteLimits.DEFAULT_MAX_LABELS,
                RemoteWriteLimits.DEFAULT_MAX_LABEL_BYTES);
        e = assertThrows(IllegalStateException.class, () -> IngestWarmup.run(config(tinyBodies), 100, 1, 100, 100));
        assertTrue(e.getMessage().contains("413"), e.getMessage());
    }

    @Test
    void bodiesAreWriteRequestsAsProtobufJavaReadsThem() throws Exception {
        byte[] body = IngestWarmup.body(40, 43, 2, new byte[3 * 256]);
        WriteRequest req = WriteRequest.parseFrom(Snappy.uncompress(body));
        assertEquals(3, req.getTimeseriesCount());
        TimeSeries s = req.getTimeseries(1);
        List<String> names = s.getLabelsList().stream().map(Label::getName).toList();
        assertEquals(List.of("__name__", "container", "instance", "job", "namespace", "pod"), names);
        assertEquals("jreceive_warmup_metric_1", s.getLabels(0).getValue());
        assertEquals("10.0.0.1:9100", s.getLabels(2).getValue());
        assertEquals(1, s.getSamplesCount());
        assertEquals(1_700_000_000_000L + 2 * 15_000, s.getSamples(0).getTimestamp());
        assertEquals(2 * 1.5 + 41 * 0.25, s.getSamples(0).getValue());
    }
}
