package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.jreceive.proto.thanos.Label;
import io.jreceive.proto.thanos.LabelMatcher;
import io.jreceive.proto.thanos.LabelValuesRequest;
import io.jreceive.proto.thanos.SeriesRequest;
import io.jreceive.proto.thanos.SeriesResponse;
import io.jreceive.proto.thanos.StoreGrpc;
import io.jreceive.proto.thanos.info.InfoGrpc;
import io.jreceive.proto.thanos.info.InfoRequest;
import io.jreceive.proto.thanos.info.InfoResponse;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.PrometheusProcess.Release;
import io.jreceive.testing.ThanosProcess;

/**
 * The acceptance check of the deployment (docker/README.md) with jreceive in the receiver's place and real parts:
 * four Prometheus 3.7 agents, one per cluster with the deployment's external labels, remote-write to one jreceive.
 * Through the StoreAPI, {@code LabelValues("cluster")} returns exactly the four cluster names and {@code Series}
 * for one cluster returns only that cluster's series; and a real {@code thanos query} over jreceive answers
 * {@code /api/v1/label/cluster/values} with exactly the four, the check the deployment's runbook makes. One set of
 * processes serves both tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentAcceptanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CLUSTERS = List.of("cluster-01-central", "cluster-02-edge", "cluster-03-edge",
            "cluster-04-edge");

    /** Static: JUnit injects an instance field only after {@code @BeforeAll} has run. */
    @TempDir
    static Path tmp;

    private JreceiveProcess rx;
    private final List<PrometheusProcess> agents = new ArrayList<>();

    @BeforeAll
    void startAgentsWritingToJreceive() throws Exception {
        Release.V3_7.binary();
        rx = JreceiveProcess.start(tmp.resolve("data"));
        for (String cluster : CLUSTERS) {
            String env = cluster.endsWith("central") ? "production" : "edge";
            agents.add(PrometheusProcess.agent(Release.V3_7, tmp.resolve(cluster), """
                    global:
                      scrape_interval: 1s
                      external_labels: {cluster: %s, environment: %s}
                    scrape_configs:
                      - job_name: prometheus
                        static_configs: [{targets: ['127.0.0.1:${PORT}']}]
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/receive
                        queue_config: {batch_send_deadline: 1s}
                    """.formatted(cluster, env, rx.remoteWritePort)));
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (PrometheusProcess a : agents) {
            a.close();
        }
        if (rx != null) {
            assertEquals(0, rx.stop(), "graceful shutdown exit code");
        }
    }

    @Test
    void storeApiSeesEveryClusterOfEveryAgent() throws Exception {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", rx.grpcPort).usePlaintext().build();
        try {
            StoreGrpc.StoreBlockingStub store = StoreGrpc.newBlockingStub(ch);
            Set<String> values = new TreeSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < CLUSTERS.size() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                values = new TreeSet<>(store.labelValues(LabelValuesRequest.newBuilder().setLabel("cluster")
                        .setStart(0).setEnd(Long.MAX_VALUE).build()).getValuesList());
            }
            assertEquals(new TreeSet<>(CLUSTERS), values, "LabelValues(cluster)");

            Iterator<SeriesResponse> it = store.series(SeriesRequest.newBuilder()
                    .setMinTime(0).setMaxTime(Long.MAX_VALUE)
                    .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("cluster")
                            .setValue("cluster-03-edge"))
                    .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__")
                            .setValue("up"))
                    .build());
            int series = 0;
            while (it.hasNext()) {
                SeriesResponse r = it.next();
                if (!r.hasSeries()) {
                    continue;
                }
                series++;
                String cluster = null;
                String tenant = null;
                for (Label l : r.getSeries().getLabelsList()) {
                    if (l.getName().equals("cluster")) {
                        cluster = l.getValue();
                    } else if (l.getName().equals("tenant_id")) {
                        tenant = l.getValue();
                    }
                }
                assertEquals("cluster-03-edge", cluster);
                assertEquals("default-tenant", tenant);
                assertTrue(r.getSeries().getChunksCount() > 0, "series carries chunks");
            }
            assertEquals(1, series, "one `up` series from cluster-03-edge's agent");

            InfoResponse info = InfoGrpc.newBlockingStub(ch).info(InfoRequest.getDefaultInstance());
            assertEquals("receive", info.getComponentType());
            assertEquals(Long.MAX_VALUE, info.getStore().getMaxTime());
        } finally {
            ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thanosQueryAnswersTheFourClusters() throws Exception {
        try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress(),
                "--query.replica-label=receive_replica")) {
            Set<String> values = new TreeSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String body = "";
            while (values.size() < CLUSTERS.size() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                body = query.api("/api/v1/label/cluster/values");
                values = new TreeSet<>();
                for (JsonNode v : JSON.readTree(body).get("data")) {
                    values.add(v.asText());
                }
            }
            assertEquals(new TreeSet<>(CLUSTERS), values, "thanos query /api/v1/label/cluster/values: " + body);
        }
    }
}
