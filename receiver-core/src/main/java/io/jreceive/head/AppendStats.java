package io.jreceive.head;

/**
 * What one request's append did: samples appended, samples rejected per reason, series rejected per
 * {@link SeriesError}, series created, exemplars written and rejected per reason. Reused per event-loop thread
 * ({@link #reset()}).
 */
public final class AppendStats {
    public int appended;
    public int duplicatesIgnored;
    public int outOfBounds;
    public int outOfOrder;
    public int duplicates;
    /** Samples older than the out-of-order window allows (Prometheus' {@code storage.ErrTooOldSample}). */
    public int tooOld;
    /** Of {@link #appended}, the samples that went to the out-of-order head (and the write-behind log). */
    public int outOfOrderAppended;
    public int seriesCreated;
    /**
     * Native histogram samples appended, identical resends ignored, rejected for a conflict (counted in the
     * reasons above too) and invalid.
     */
    public int histogramsAppended;
    public int histogramsIgnored;
    public int histogramsRejected;
    public int histogramsInvalid;
    public final int[] seriesErrors = new int[SeriesError.values().length];
    /** Exemplars logged, or ignored as duplicates of the newest one stored (answered as written, as Prometheus). */
    public int exemplarsWritten;
    /** Exemplars older than their series' newest one: a conflict, as in Thanos. */
    public int exemplarsOutOfOrder;
    /** Exemplars whose labels exceed Prometheus' 128 UTF-8 characters: a conflict, as in Thanos. */
    public int exemplarsLabelLength;
    /** Exemplars dropped without an error: exemplar storage is off, or their series is not in the head. */
    public int exemplarsDropped;

    public void reset() {
        appended = 0;
        duplicatesIgnored = 0;
        outOfBounds = 0;
        outOfOrder = 0;
        duplicates = 0;
        tooOld = 0;
        outOfOrderAppended = 0;
        seriesCreated = 0;
        histogramsAppended = 0;
        histogramsIgnored = 0;
        histogramsRejected = 0;
        histogramsInvalid = 0;
        java.util.Arrays.fill(seriesErrors, 0);
        exemplarsWritten = 0;
        exemplarsOutOfOrder = 0;
        exemplarsLabelLength = 0;
        exemplarsDropped = 0;
    }

    /** Exemplars not stored because they were rejected or dropped ({@code jreceive_exemplars_dropped_total}). */
    public int exemplarsRejected() {
        return exemplarsOutOfOrder + exemplarsLabelLength + exemplarsDropped;
    }

    /** Whether anything in the request was rejected (the request is then answered as a conflict). */
    public boolean hasConflicts() {
        if (outOfBounds + outOfOrder + duplicates + tooOld + histogramsInvalid + exemplarsOutOfOrder + exemplarsLabelLength
                > 0) {
            return true;
        }
        for (int e : seriesErrors) {
            if (e > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The conflict message in Thanos' form: one reason {@code add 3 samples: out of order sample}, several
     * {@code 2 errors: add 1 series: out of order labels; add 2 samples: out of bounds}.
     */
    public String conflictMessage() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (SeriesError e : SeriesError.values()) {
            if (seriesErrors[e.ordinal()] > 0) {
                parts.add("add " + seriesErrors[e.ordinal()] + " series: " + e.message());
            }
        }
        if (outOfBounds > 0) {
            parts.add("add " + outOfBounds + " samples: out of bounds");
        }
        if (outOfOrder > 0) {
            parts.add("add " + outOfOrder + " samples: out of order sample");
        }
        if (duplicates > 0) {
            parts.add("add " + duplicates + " samples: duplicate sample for timestamp");
        }
        if (tooOld > 0) {
            parts.add("add " + tooOld + " samples: too old sample");
        }
        if (histogramsInvalid > 0) {
            parts.add("add " + histogramsInvalid + " samples: invalid histogram");
        }
        if (exemplarsOutOfOrder > 0) {
            parts.add("add " + exemplarsOutOfOrder + " exemplars: out of order exemplar");
        }
        if (exemplarsLabelLength > 0) {
            // Prometheus' storage.ErrExemplarLabelLength, with its ExemplarMaxLabelSetLength of 128.
            parts.add("add " + exemplarsLabelLength + " exemplars: label length for exemplar exceeds maximum of 128 "
                    + "UTF-8 characters");
        }
        return parts.size() == 1 ? parts.get(0) : parts.size() + " errors: " + String.join("; ", parts);
    }
}
