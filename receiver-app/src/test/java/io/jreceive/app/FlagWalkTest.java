package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Every flag of {@code thanos receive} v0.38 (the list of Thanos' documentation plus the hidden ones, kept as data in
 * {@code flags/thanos-receive-v0.38.txt}) either takes effect or is refused at start with one line naming it:
 * <ul>
 * <li>{@code EFFECTIVE}: a test named here drives it (its source holds the flag), and the given value changes the
 * configuration;</li>
 * <li>{@code WIRED}: the given value changes the configuration built from the command line (the component's own
 * unit tests prove the behaviour);</li>
 * <li>{@code RING}: hashring, replication and forwarding flags, owned by the ring work; proved by the named test;</li>
 * <li>{@code REFUSED}: the given value stops the start with one line naming the flag (the default is accepted and
 * means what Thanos' default means);</li>
 * <li>{@code COMPAT}: accepted for compatibility, with no effect on what is stored or answered; {@code --help}
 * says so.</li>
 * </ul>
 */
class FlagWalkTest {
    enum Kind { EFFECTIVE, WIRED, RING, REFUSED, COMPAT, HELP }

    /** How one flag is treated: {@code value} to try, {@code proof} the test class that drives it. */
    record Verdict(Kind kind, String value, String proof) {
    }

    private static final Map<String, Verdict> VERDICTS = new LinkedHashMap<>();

    private static void v(String flag, Kind kind, String value, String proof) {
        VERDICTS.put(flag, new Verdict(kind, value, proof));
    }

    static {
        v("--tsdb.path", Kind.EFFECTIVE, "/tmp/other", "DeploymentManifestsIT");
        v("--grpc-address", Kind.EFFECTIVE, "127.0.0.1:1", "ReceiverConfigTest");
        v("--http-address", Kind.EFFECTIVE, "127.0.0.1:2", "DeploymentManifestsIT");
        v("--remote-write.address", Kind.EFFECTIVE, "127.0.0.1:3", "ReceiverConfigTest");
        v("--label", Kind.EFFECTIVE, "other=\"x\"", "ReceiverConfigTest");
        v("--objstore.config", Kind.EFFECTIVE, "{type: FILESYSTEM, config: {directory: /tmp/b}}", "BlockLifecycleIT");
        v("--objstore.config-file", Kind.EFFECTIVE, "file:{type: FILESYSTEM, config: {directory: /tmp/b}}",
                "ObjectStorageOutageIT");
        v("--tsdb.retention", Kind.EFFECTIVE, "6h", "ObjectStorageOutageIT");
        v("--tsdb.max-retention-bytes", Kind.EFFECTIVE, "1GB", "SizeRetentionIT");
        v("--tsdb.no-lockfile", Kind.EFFECTIVE, "true", "DataDirectoryLockIT");
        v("--receive.relabel-config", Kind.EFFECTIVE, "[{action: labeldrop, regex: x}]", "IngestRulesIT");
        v("--receive.relabel-config-file", Kind.WIRED, "file:- {action: labeldrop, regex: x}", null);
        v("--receive.limits-config", Kind.EFFECTIVE, "{write: {global: {max_concurrency: 2}}}", "ReceiverConfigTest");
        v("--receive.limits-config-file", Kind.EFFECTIVE, null, "IngestRulesIT");
        v("--receive.limits-config-reload-timer", Kind.EFFECTIVE, null, "IngestRulesIT");
        v("--tsdb.out-of-order.time-window", Kind.EFFECTIVE, "10m", "ReceiverConfigTest");
        v("--receive.tenant-label-name", Kind.WIRED, "tenant", null);
        v("--receive.tenant-header", Kind.WIRED, "X-Tenant", null);
        v("--receive.default-tenant-id", Kind.WIRED, "anonymous", null);
        v("--tsdb.too-far-in-future.time-window", Kind.WIRED, "5m", null);
        v("--tsdb.wal-compression", Kind.WIRED, "false", null);
        v("--tsdb.min-block-duration", Kind.EFFECTIVE, null, "TenantPruningIT");
        v("--tsdb.max-block-duration", Kind.EFFECTIVE, null, "TenantPruningIT");
        v("--grpc-grace-period", Kind.WIRED, "10s", null);
        v("--grpc-server-max-connection-age", Kind.WIRED, "10m", null);
        v("--grpc-server-tls-cert", Kind.WIRED, null, null);
        v("--grpc-server-tls-key", Kind.WIRED, null, null);
        v("--grpc-server-tls-client-ca", Kind.WIRED, null, null);
        v("--grpc-server-tls-min-version", Kind.WIRED, "1.2", null);
        v("--store.limits.request-series", Kind.WIRED, "10", null);
        v("--store.limits.request-samples", Kind.WIRED, "10", null);
        v("--log.level", Kind.WIRED, "debug", null);
        v("--tsdb.max-exemplars", Kind.EFFECTIVE, "100", "ExemplarsIT");
        v("--tsdb.enable-native-histograms", Kind.WIRED, "false", null);
        v("--receive.tenant-certificate-field", Kind.EFFECTIVE, null, "RemoteWriteTlsIT");
        v("--receive.split-tenant-label-name", Kind.EFFECTIVE, "team", "SplitTenantIT");
        v("--remote-write.server-tls-cert", Kind.EFFECTIVE, null, "RemoteWriteTlsIT");
        v("--remote-write.server-tls-key", Kind.EFFECTIVE, null, "RemoteWriteTlsIT");
        v("--remote-write.server-tls-client-ca", Kind.EFFECTIVE, null, "RemoteWriteTlsIT");
        v("--remote-write.server-tls-min-version", Kind.EFFECTIVE, null, "RemoteWriteTlsIT");
        v("--http.config", Kind.REFUSED, "/tmp/web.yaml", null);
        v("--hash-func", Kind.REFUSED, "SHA256", null);
        v("--request.logging-config", Kind.REFUSED, "grpc: {}", null);
        v("--request.logging-config-file", Kind.REFUSED, "/tmp/logging.yaml", null);
        v("--tracing.config", Kind.REFUSED, "type: JAEGER", null);
        v("--tracing.config-file", Kind.REFUSED, "/tmp/tracing.yaml", null);
        v("--log.format", Kind.REFUSED, "json", null);
        v("--enable-feature", Kind.REFUSED, "something-else", null);
        v("--receive.replication-protocol", Kind.RING, null, "ReceiverConfigTest");
        v("--receive.replication-factor", Kind.RING, null, "RingReplicationIT");
        v("--receive.hashrings", Kind.RING, null, "RingPlacementIT");
        v("--receive.hashrings-file", Kind.RING, null, "RingPlacementIT");
        v("--receive.hashrings-algorithm", Kind.RING, null, "RingReplicationIT");
        v("--receive.hashrings-file-refresh-interval", Kind.RING, null, "RingPlacementIT");
        v("--receive.local-endpoint", Kind.RING, null, "RingPlacementIT");
        v("--receive.grpc-compression", Kind.RING, null, "ReceiverConfigTest");
        v("--receive.replica-header", Kind.RING, "X-Replica", null);
        v("--receive-forward-timeout", Kind.RING, "1s", null);
        v("--receive-forward-max-backoff", Kind.RING, "1s", null);
        v("--remote-write.client-tls-secure", Kind.RING, "true", null);
        v("--remote-write.client-tls-skip-verify", Kind.RING, "true", null);
        v("--remote-write.client-tls-cert", Kind.RING, null, null);
        v("--remote-write.client-tls-key", Kind.RING, null, null);
        v("--remote-write.client-tls-ca", Kind.RING, "/tmp/ca.pem", null);
        v("--remote-write.client-server-name", Kind.RING, "peer", null);
        v("--receive.capnproto-address", Kind.COMPAT, "0.0.0.0:1", null);
        v("--receive.grpc-service-config", Kind.COMPAT, "{}", null);
        v("--receive.forward.async-workers", Kind.COMPAT, "2", null);
        v("--http-grace-period", Kind.COMPAT, "10s", null);
        v("--tsdb.out-of-order.cap-max", Kind.EFFECTIVE, "64", "ReceiverConfigTest");
        v("--tsdb.allow-overlapping-blocks", Kind.COMPAT, "true", null);
        v("--tsdb.head.expanded-postings-cache-size", Kind.COMPAT, "100", null);
        v("--tsdb.block.expanded-postings-cache-size", Kind.COMPAT, "100", null);
        v("--tsdb.write-queue-size", Kind.COMPAT, "100", null);
        v("--tsdb.memory-snapshot-on-shutdown", Kind.EFFECTIVE, "true", "SnapshotRestartIT");
        v("--writer.intern", Kind.COMPAT, "true", null);
        v("--receive.otlp-enable-target-info", Kind.COMPAT, "false", null);
        v("--receive.otlp-promote-resource-attributes", Kind.COMPAT, "service.name", null);
        v("--matcher-cache-size", Kind.COMPAT, "100", null);
        v("--shipper.ignore-unequal-block-size", Kind.COMPAT, "true", null);
        v("--shipper.allow-out-of-order-uploads", Kind.COMPAT, "true", null);
        v("--enable-auto-gomemlimit", Kind.COMPAT, "true", null);
        v("--auto-gomemlimit.ratio", Kind.COMPAT, "0.5", null);
        v("--help-long", Kind.HELP, null, null);
        v("--version", Kind.HELP, null, null);
    }

    private static final String[] BASE = {"--label=receive_replica=\"0\""};

    private static List<String> thanosFlags() throws Exception {
        List<String> out = new ArrayList<>();
        try (InputStream in = FlagWalkTest.class.getResourceAsStream("/flags/thanos-receive-v0.38.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("--")) {
                    out.add(line.trim());
                }
            }
        }
        return out;
    }

    /** A value {@code file:<content>} is passed as the path of a temporary file holding the content. */
    private static String value(String v) throws Exception {
        if (!v.startsWith("file:")) {
            return v;
        }
        Path f = Files.createTempFile("flagwalk", ".yaml");
        f.toFile().deleteOnExit();
        Files.writeString(f, v.substring("file:".length()));
        return f.toString();
    }

    private static ReceiverConfig parse(String... extra) {
        ReceiveCommand cmd = new ReceiveCommand();
        String[] args = new String[BASE.length + extra.length];
        System.arraycopy(BASE, 0, args, 0, BASE.length);
        System.arraycopy(extra, 0, args, BASE.length, extra.length);
        Main.commandLine(cmd).parseArgs(args);
        return ReceiverConfig.from(cmd);
    }

    /** The test source {@code name}.java anywhere in the repository's test trees. */
    private static Path testSource(String name) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        try (Stream<Path> s = Files.walk(root, 12)) {
            return s.filter(p -> p.getFileName().toString().equals(name + ".java") && p.toString().contains(
                    "/src/test/java/")).findFirst().orElse(null);
        }
    }

    @Test
    void everyThanosFlagTakesEffectOrIsRefused() throws Exception {
        List<String> flags = thanosFlags();
        assertEquals(85, flags.size(), "the v0.38 list (documented and hidden flags)");
        String usage = Main.commandLine(new ReceiveCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        ReceiverConfig base = parse();
        List<String> problems = new ArrayList<>();
        for (String flag : flags) {
            Verdict v = VERDICTS.get(flag);
            if (v == null) {
                problems.add(flag + ": no verdict");
                continue;
            }
            try {
                check(flag, v, base, usage);
            } catch (AssertionError | RuntimeException e) {
                problems.add(flag + " (" + v.kind() + "): " + e.getMessage());
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(flags.size(), VERDICTS.size(), "no verdict for a flag Thanos does not have");
    }

    private static void check(String flag, Verdict v, ReceiverConfig base, String usage) throws Exception {
        if (v.proof() != null) {
            Path src = testSource(v.proof());
            if (src == null) {
                fail("proving test " + v.proof() + " not found");
            }
            assertTrue(Files.readString(src).contains("\"" + flag), v.proof() + " does not use " + flag);
        }
        switch (v.kind()) {
            case EFFECTIVE, WIRED, RING -> {
                if (v.value() != null) {
                    assertNotEquals(base.toString(), parse(flag + "=" + value(v.value())).toString(),
                            flag + "=" + v.value() + " changes nothing in the configuration");
                }
                assertTrue(!helpOf(usage, flag).isEmpty() || hidden(flag), "not in --help");
            }
            case REFUSED -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> parse(flag + "=" + v.value()), flag + "=" + v.value() + " accepted");
                assertTrue(e.getMessage().contains(flag) || e.getMessage().contains(stem(flag)),
                        "the refusal does not name the flag: " + e.getMessage());
                assertTrue(!e.getMessage().contains("\n"), "one line");
                parse();
            }
            case COMPAT -> {
                parse(flag + "=" + v.value());
                String line = helpOf(usage, flag);
                assertTrue(hidden(flag) || line.contains("Compatibility only"),
                        "--help does not mark it as compatibility only: " + line);
            }
            case HELP -> assertTrue(usage.contains(flag) || flag.equals("--version"), "not in --help");
            default -> fail("kind " + v.kind());
        }
    }

    /** Flags Thanos hides are hidden in jreceive's --help too. */
    private static boolean hidden(String flag) {
        return List.of("--receive-forward-timeout", "--receive-forward-max-backoff", "--tsdb.min-block-duration",
                "--tsdb.max-block-duration", "--tsdb.write-queue-size", "--tsdb.memory-snapshot-on-shutdown",
                "--tsdb.enable-native-histograms", "--writer.intern", "--shipper.ignore-unequal-block-size",
                "--shipper.allow-out-of-order-uploads", "--receive.limits-config", "--receive.limits-config-file",
                "--receive.limits-config-reload-timer").contains(flag);
    }

    /** A refusal may name a flag family: {@code --request.logging-config(-file)}. */
    private static String stem(String flag) {
        return flag.replace("-file", "").replaceAll("-(cert|key|client-ca)$", "-cert");
    }

    /** The --help text of {@code flag}: its line and the continuation lines after it. */
    private static String helpOf(String usage, String flag) {
        String name = flag.substring(2);
        // The option list starts after the command's description; the synopsis above it names every flag too.
        int from = usage.indexOf("remote-write ingestion server.");
        int i = -1;
        for (String form : new String[] {"--" + name + "=", "--" + name + "[", "--[no-]" + name, "--" + name + "\n",
                "--" + name + " "}) {
            int at = usage.indexOf(form, from);
            if (at >= 0 && (i < 0 || at < i)) {
                i = at;
            }
        }
        if (i < 0) {
            return "";
        }
        java.util.regex.Matcher next = java.util.regex.Pattern.compile("\n +-").matcher(usage);
        int end = next.find(i + 2) ? next.start() : usage.length();
        return usage.substring(i, end);
    }

    @Test
    void helpGivesEveryVisibleFlagAMeaningAndDefault() {
        String usage = Main.commandLine(new ReceiveCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        CommandLine.Model.CommandSpec spec = Main.commandLine(new ReceiveCommand()).getCommandSpec();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (o.hidden() || o.usageHelp() || o.versionHelp()) {
                continue;
            }
            assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), o.longestName() + " has no meaning");
            if (o.defaultValue() != null && !o.defaultValue().isEmpty()) {
                assertTrue(helpOf(usage, o.longestName()).contains("Default: " + o.defaultValue()),
                        o.longestName() + ": no default in --help: " + helpOf(usage, o.longestName()));
            }
        }
    }
}
