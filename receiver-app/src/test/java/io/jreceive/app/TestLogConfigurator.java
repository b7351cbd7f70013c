package io.jreceive.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The test JVMs' logging: the server's own set-up ({@link LogConfigurator}) plus, at WARN, the in-process test
 * servers (S3Proxy and its Jetty), which log a dozen INFO lines at every start and stop. Ranked above the server's
 * configurator, so logback runs this one instead; listed in the test tree's {@code META-INF/services}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class TestLogConfigurator extends ContextAwareBase implements Configurator {
    private static final String[] QUIET = {"org.gaul", "org.eclipse.jetty"};

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ExecutionStatus status = new LogConfigurator().configure(context);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        return status;
    }
}
