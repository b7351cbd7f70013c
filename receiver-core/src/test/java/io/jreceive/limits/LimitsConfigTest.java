package io.jreceive.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.jreceive.limits.LimitsConfig.TenantLimits;

/** Thanos' limits YAML (docs/components/receive.md example and limiter_config.go rules). */
class LimitsConfigTest {
    /** The example of Thanos' receive.md "Limits" section, v0.38. */
    private static final String THANOS_DOCS_EXAMPLE = """
            write:
              global:
                max_concurrency: 30
                meta_monitoring_url: "http://localhost:9090"
                meta_monitoring_limit_query: "sum(prometheus_tsdb_head_series) by (tenant)"
              default:
                request:
                  size_bytes_limit: 1024
                  series_limit: 1000
                  samples_limit: 10
                head_series_limit: 1000
              tenants:
                acme:
                  request:
                    size_bytes_limit: 0
                    series_limit: 0
                    samples_limit: 0
                  head_series_limit: 2000
                ajax:
                  request:
                    series_limit: 50000
                    samples_limit: 500
            """;

    @Test
    void parsesThanosExampleWithInheritance() {
        LimitsConfig c = LimitsConfig.parse(THANOS_DOCS_EXAMPLE);
        assertEquals(30, c.maxConcurrency());
        assertEquals(new TenantLimits(1024, 1000, 10, 1000), c.defaults());
        assertEquals(new TenantLimits(0, 0, 0, 2000), c.forTenant("acme"));
        assertEquals(new TenantLimits(1024, 50000, 500, 1000), c.forTenant("ajax"), "absent fields inherit");
        assertEquals(c.defaults(), c.forTenant("other"));
    }

    @Test
    void emptyMeansUnlimited() {
        assertEquals(LimitsConfig.NONE, LimitsConfig.parse(""));
        assertEquals(LimitsConfig.NONE, LimitsConfig.parse("write: {}"));
    }

    @Test
    void strictAndTyped() {
        assertTrue(msg("write: {default: {request: {series: 1}}}").contains("unknown field \"series\""));
        assertTrue(msg("writes: {}").contains("unknown field \"writes\""));
        assertTrue(msg("write: {default: {head_series_limit: many}}").contains("must be an integer"));
        assertTrue(msg("write: {global: {meta_monitoring_url: localhost}}")
                .contains("is not a valid meta-monitoring URL"));
    }

    @Test
    void sizeAcceptsByteUnits() {
        assertEquals(512L << 20, LimitsConfig.parse("write: {default: {request: {size_bytes_limit: 512MiB}}}")
                .defaults().sizeBytes());
    }

    private static String msg(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> LimitsConfig.parse(yaml)).getMessage();
    }
}
