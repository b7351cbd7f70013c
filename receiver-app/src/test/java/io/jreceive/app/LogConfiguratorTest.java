package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.util.LogbackMDCAdapter;

/** The logging set up in code: the logfmt line Thanos prints, the quiet libraries, and an operator's file winning. */
class LogConfiguratorTest {
    /** A context as logback's own start-up makes it (a bare one has no MDC adapter and drops every event). */
    private static LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        return context;
    }

    /** Logs one event through {@code context} and returns what reached stderr. */
    private static String logThrough(LoggerContext context, String logger, Level level, String msg) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ch.qos.logback.classic.Logger l = context.getLogger(logger);
            l.log(null, LogConfiguratorTest.class.getName(), Level.toLocationAwareLoggerInteger(level), msg, null,
                    null);
        } finally {
            System.setErr(saved);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsOneLogfmtLinePerEventWithTheMessageQuoted() {
        LoggerContext context = newContext();
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, new LogConfigurator().configure(context));
        String line = logThrough(context, "io.jreceive.shipper.Shipper", Level.INFO, "uploaded \"01ABC\"");
        assertTrue(line.matches("ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z level=INFO caller=Shipper "
                + "msg=\"uploaded \\\\\"01ABC\\\\\"\"\\R"), line);
        context.stop();
    }

    @Test
    void keepsTheChattyLibrariesAtWarnAndTheRestAtInfo() {
        LoggerContext context = newContext();
        new LogConfigurator().configure(context);
        assertEquals("", logThrough(context, "io.netty.channel.DefaultChannelPipeline", Level.INFO, "noise"));
        assertEquals("", logThrough(context, "io.grpc.internal.ManagedChannelImpl", Level.INFO, "noise"));
        assertTrue(logThrough(context, "io.grpc.netty.NettyServer", Level.WARN, "kept").contains("level=WARN"));
        assertEquals("", logThrough(context, "io.jreceive.head.Head", Level.DEBUG, "hidden"));
        context.stop();
    }

    @Test
    void stepsAsideForAnOperatorsConfigurationFile() {
        String saved = System.setProperty("logback.configurationFile", "/etc/jreceive/logback.xml");
        try {
            LoggerContext context = newContext();
            assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, new LogConfigurator().configure(context));
            assertFalse(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext(),
                    "nothing configured: logback's XML configurator reads the operator's file next");
        } finally {
            if (saved == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", saved);
            }
        }
    }

    @Test
    void isTheConfiguratorLogbackFinds() {
        boolean found = false;
        for (Configurator c : ServiceLoader.load(Configurator.class)) {
            found |= c instanceof LogConfigurator;
        }
        assertTrue(found, "META-INF/services names io.jreceive.app.LogConfigurator");
    }
}
