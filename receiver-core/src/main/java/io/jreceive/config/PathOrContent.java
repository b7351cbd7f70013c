package io.jreceive.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Thanos' {@code extflag.PathOrContent}: a configuration given either as {@code --<name>-file} or inline as
 * {@code --<name>} (not both), with Kubernetes-style {@code $(VAR)} environment substitution where Thanos enables it
 * (an unset variable is an error).
 */
public final class PathOrContent {
    private static final Pattern ENV = Pattern.compile("\\$\\(([a-zA-Z_0-9]+)\\)");

    private PathOrContent() {
    }

    /** The content of {@code file} or {@code inline} for flag {@code --name}; null when neither is set. */
    public static String content(String name, Path file, String inline) {
        boolean hasInline = inline != null && !inline.isEmpty();
        if (file != null && hasInline) {
            throw new IllegalArgumentException("both --" + name + "-file and --" + name + " flags set.");
        }
        if (file != null) {
            return expandEnv(read("--" + name + "-file", file));
        }
        return hasInline ? expandEnv(inline) : null;
    }

    /** Reads {@code file}; a missing one says "no such file" and names the flag. */
    public static String read(String flag, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(flag + ": open " + file + ": no such file or directory");
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + ": loading file " + file + ": " + e);
        }
    }

    /** Replaces each {@code $(VAR)} with the variable's value. */
    public static String expandEnv(String s) {
        Matcher m = ENV.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = System.getenv(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("found reference to unset environment variable \"" + m.group(1)
                        + "\"");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
