package io.jreceive.ring;

/**
 * A replica index at or past the number of endpoints of a hashring; the text is Thanos'
 * ({@code insufficient nodes; have 3, want 4}), answered as 500.
 */
public final class InsufficientNodesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InsufficientNodesException(int have, long want) {
        super("insufficient nodes; have " + have + ", want " + want, null, false, false);
    }
}
