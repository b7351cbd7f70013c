package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * The packaged server loads no class it does not use: neither logback's XML configurator with the JDK's XML parser
 * (about 600 classes; {@link LogConfigurator} sets logging up in code) nor JFR's event machinery (about 80, which
 * Netty would load for its allocator events unless {@code io.netty.jfr.enabled} is false, as {@link Main} sets
 * it). At ~100 MB resident when idle, these are a few MB of metaspace, code and heap in every receiver. The JVM's
 * class-load log of a real start, one write and a stop is the evidence; the server's own lines must still be
 * logfmt.
 */
class StartupFootprintIT {
    /**
     * Prefixes of what must stay unloaded: Joran's events, actions and model (the handful of classes in
     * {@code joran.spi} are logback's own API, used by the console appender), the XML parser, Netty's allocator
     * events and the JFR metadata they register (Netty still asks {@code FlightRecorder.isAvailable()}, a dozen
     * classes).
     */
    private static final List<String> UNUSED = List.of(
            "ch.qos.logback.core.joran.event.", "ch.qos.logback.core.joran.action.", "ch.qos.logback.classic.joran.",
            "ch.qos.logback.core.model.", "com.sun.org.apache.xerces.", "javax.xml.parsers.",
            "io.netty.buffer.AbstractAllocatorEvent", "jdk.jfr.AnnotationElement");

    @TempDir
    Path tmp;

    @Test
    void loadsNeitherXmlConfigurationNorJfr() throws Exception {
        Path classLog = tmp.resolve("classes.txt");
        JreceiveProcess p = JreceiveProcess.start(tmp.resolve("data"),
                List.of("-Xlog:class+load=info:file=" + classLog));
        try {
            HttpResponse<String> r = p.post(new RemoteWriteRequests()
                    .series(Labels.of("__name__", "footprint_test"), System.currentTimeMillis(), 1).v1());
            assertEquals(200, r.statusCode(), r.body());
        } finally {
            assertEquals(0, p.stop());
        }
        List<String> loaded = Files.readAllLines(classLog).stream()
                .map(l -> l.replaceFirst("^\\[[^]]*\\]\\[[^]]*\\]\\[[^]]*\\] ", ""))
                .map(l -> l.split(" ", 2)[0])
                .collect(Collectors.toList());
        assertTrue(loaded.contains("io.jreceive.app.LogConfigurator"), "the class-load log lists the server's own");
        List<String> unused = loaded.stream().filter(c -> UNUSED.stream().anyMatch(c::startsWith))
                .collect(Collectors.toList());
        assertEquals(List.of(), unused, "loaded, though nothing uses them");

        List<String> serverLines = Files.readAllLines(p.log).stream().filter(l -> l.startsWith("ts=")).toList();
        assertTrue(!serverLines.isEmpty(), "the server logged its start");
        for (String line : serverLines) {
            assertTrue(line.matches("ts=\\S+ level=(INFO|WARN|ERROR) caller=\\S+ msg=\".*\""), line);
        }
    }
}
