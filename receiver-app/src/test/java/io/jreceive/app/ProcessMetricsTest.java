package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The process metrics carry the names and plausible values Go's and client_java's collectors give them. */
class ProcessMetricsTest {
    private static double value(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " missing in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void standardNamesAndValues() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessMetrics.bindTo(r);
        String text = r.scrape();
        assertTrue(value(text, "process_cpu_seconds_total") > 0);
        assertTrue(value(text, "process_open_fds") > 0);
        assertTrue(value(text, "process_max_fds") >= value(text, "process_open_fds"));
        double start = value(text, "process_start_time_seconds");
        assertTrue(start > 1.6e9 && start <= System.currentTimeMillis() / 1000.0, "seconds since the epoch: " + start);
        double rss = value(text, "process_resident_memory_bytes");
        assertTrue(rss > 10 * 1024 * 1024 && rss < value(text, "process_virtual_memory_bytes"), "RSS " + rss);
        assertTrue(text.contains("jreceive_build_info{java_version=\"" + System.getProperty("java.version")
                + "\",version=\"" + ProcessMetrics.VERSION + "\"}"), text);
        assertTrue(value(text, "jreceive_build_info") == 1.0);
    }
}
