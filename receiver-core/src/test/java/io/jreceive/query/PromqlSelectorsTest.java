package io.jreceive.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class PromqlSelectorsTest {
    private static List<String> sel(String q) {
        return PromqlSelectors.extract(q).stream().map(Object::toString).toList();
    }

    @Test
    void findsEverySelectorAsPrometheusExtractSelectorsDoes() {
        assertEquals(List.of("[__name__=\"up\"]"), sel("up"));
        assertEquals(List.of("[__name__=\"http_requests_total\", job=\"api\", code=~\"5..\"]"),
                sel("http_requests_total{job=\"api\",code=~'5..',}"));
        assertEquals(List.of("[__name__=\"a\"]", "[__name__=\"b\", x!=\"1\"]"),
                sel("sum by (job, le) (rate(a[5m:1m] offset 1h)) / on(job) group_left bottomk(3, b{x!=`1`}) > bool 2"));
        assertEquals(List.of("[__name__=\"m\"]"), sel("histogram_quantile(0.9, sum without(instance) (rate(m[5m])))"));
        assertEquals(List.of("[__name__=\"x\"]"), sel("label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\") @ start()"));
        assertEquals(List.of("[__name__=~\"a|b\"]"), sel("{__name__=~\"a|b\"}"));
        assertEquals(List.of("[__name__=\"my.metric\", a b=\"c\"]"), sel("{\"my.metric\", \"a b\"=\"c\"}"));
        assertEquals(List.of("[__name__=\"m\", l=\"a\nb\"]"), sel("m{l=\"a\\nb\"} # a comment with x{y=\"z\"}"));
        assertEquals(List.of("[__name__=\"q\"]"), sel("quantile(0.5, q) and Inf < NaN or 1e-3 unless 0x1f"));
        assertEquals(List.of(), sel("1 + 2"));
    }

    @Test
    void rejectsWhatPrometheusRejects() {
        assertThrows(IllegalArgumentException.class, () -> PromqlSelectors.extract("{job=~\".*\"}"),
                "a selector matching everything");
        assertThrows(IllegalArgumentException.class, () -> PromqlSelectors.extract("up{job=\"a\""));
        assertThrows(IllegalArgumentException.class, () -> PromqlSelectors.extract("up{job=\"a}"));
        assertThrows(IllegalArgumentException.class, () -> PromqlSelectors.extract("up{job}"));
        assertThrows(IllegalArgumentException.class, () -> PromqlSelectors.extract("up{job=~\"(\"}"));
    }
}
