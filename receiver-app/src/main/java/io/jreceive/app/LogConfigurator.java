package io.jreceive.app;

import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The server's logging, set up in code: logfmt lines on stderr, as Thanos logs them, INFO by default, the chatty
 * libraries at WARN. Logback finds this through {@code META-INF/services}, before its XML configurator; doing it in
 * code keeps logback's XML machinery and the JDK's XML parser out of the process (about 600 classes of
 * metaspace, code and heap that a server idling at ~100 MB resident otherwise pays for).
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile=...} this steps aside and logback's
 * XML configurator reads that file as usual. {@code --log.level} is applied on top by {@link Main}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    /** One logfmt line per event; the message's quotes are escaped so the line stays parseable. */
    static final String PATTERN =
            "ts=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} level=%level caller=%logger{0} "
                    + "msg=\"%replace(%msg){'\"','\\\\\"'}\"%n%ex";
    /** Libraries whose INFO lines are noise to an operator. */
    private static final String[] QUIET = {"io.netty", "io.grpc", "software.amazon"};
    private static final String CONFIG_FILE_PROPERTY = "logback.configurationFile";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();

        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
