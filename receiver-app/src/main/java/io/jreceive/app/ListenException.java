package io.jreceive.app;

import java.io.IOException;
import java.net.BindException;

/**
 * A listener that could not bind its address (in use, not on this host, not allowed): start-up stops with one line
 * naming the flag and the address in the words of Go's {@code net.Listen} error, as Thanos prints it, without a
 * stack trace ({@link Main} exits 1).
 */
final class ListenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ListenException(String flag, String address, IOException cause) {
        super(flag + ": listen tcp " + address + ": bind: " + reason(cause), cause, false, false);
    }

    /**
     * Java's "Address already in use" (or Netty's native "bind(..) failed with error(-98): Address already in use")
     * as Go's "address already in use".
     */
    private static String reason(IOException e) {
        String m = e.getMessage() == null ? "cannot bind" : e.getMessage();
        int errno = m.lastIndexOf("): ");
        m = errno >= 0 ? m.substring(errno + 3) : m;
        int paren = m.indexOf(" (");
        m = paren > 0 ? m.substring(0, paren) : m;
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    /**
     * The bind failure in {@code e}'s causes, or null: a {@link BindException} (NIO, gRPC), or the native transport's
     * exception for a failed {@code bind(2)}.
     */
    static IOException bindCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException b) {
                return b;
            }
            if (t instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith("bind(")) {
                return io;
            }
        }
        return null;
    }
}
