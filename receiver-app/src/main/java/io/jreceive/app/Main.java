package io.jreceive.app;

import java.util.Arrays;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import picocli.CommandLine;

/**
 * Entry point: {@code java -jar jreceive.jar [receive] --flags...}. A leading {@code receive} word is accepted so a
 * {@code thanos receive ...} command line ports unchanged. Bad flags or values stop start-up with one line on
 * stderr and exit code 2; a start-up failure exits 1.
 */
public final class Main {
    /**
     * Netty 4.2 looks up JFR once it starts and, when JFR is there, loads about a hundred JFR classes for allocator
     * events that only a running recording would show. Off unless the operator sets the property.
     */
    private static final String NETTY_JFR = "io.netty.jfr.enabled";

    private Main() {
    }

    public static void main(String[] args) {
        defaultProperty(NETTY_JFR, "false");
        System.exit(run(args));
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    static int run(String[] args) {
        String[] a = args.length > 0 && args[0].equals("receive") ? Arrays.copyOfRange(args, 1, args.length) : args;
        ReceiveCommand cmd = new ReceiveCommand();
        CommandLine cl = commandLine(cmd);
        cl.setParameterExceptionHandler((ex, argv) -> {
            System.err.println("jreceive: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                System.err.println("jreceive: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof ListenException) {
                System.err.println("jreceive: " + ex.getMessage());
                return 1;
            }
            LoggerFactory.getLogger(Main.class).error("start-up failed", ex);
            System.err.println("jreceive: " + ex);
            return 1;
        });
        cl.setExecutionStrategy(parseResult -> {
            setLogLevel(cmd.logLevel);
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cl.execute(a);
    }

    /**
     * The parser for {@code cmd}. Boolean flags negate as kingpin's do ({@code --no-tsdb.wal-compression}); picocli's
     * default negation pattern only covers names without dots, which every Thanos flag has.
     */
    static CommandLine commandLine(ReceiveCommand cmd) {
        CommandLine cl = new CommandLine(cmd);
        cl.setNegatableOptionTransformer(new CommandLine.RegexTransformer.Builder()
                .addPattern("^--no-([\\w.-]+)$", "--$1", "--[no-]$1")
                .addPattern("^--([\\w.-]+)$", "--no-$1", "--[no-]$1")
                .build());
        return cl;
    }

    private static void setLogLevel(String level) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
    }
}
