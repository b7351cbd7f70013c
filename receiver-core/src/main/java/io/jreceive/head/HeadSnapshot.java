package io.jreceive.head;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.labels.Labels;

/**
 * Writes and loads a head snapshot ({@link HeadSnapshotLayout}): every series with its labels, the number and end of
 * its closed chunks (which stay in the head chunk files) and the bytes of its open chunk, plus the head's WAL
 * expiries. Loading gives each series back under its id, maps its closed chunks from the recovered head chunk files
 * and checks that they are the ones the snapshot counted, then reopens its open chunk; a snapshot that does not check
 * out throws {@link Unusable}, and the caller rebuilds the head from the WAL instead.
 */
final class HeadSnapshot {
    private HeadSnapshot() {
    }

    /** A snapshot that cannot be used: torn, corrupt, or not matching the head chunk files. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    /** Writes {@code head}'s snapshot to {@code file} (created new) and forces it to disk. Appends must be stopped. */
    static long write(Head head, Path file) throws IOException {
        long series = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
            ByteBuffer header = ByteBuffer.allocate(HeadSnapshotLayout.HEADER_SIZE);
            header.putInt(HeadSnapshotLayout.MAGIC).put(HeadSnapshotLayout.VERSION);
            out.write(header.array());
            EncBuf rec = new EncBuf(4096);
            for (MemSeries[] page : head.seriesPages()) {
                if (page == null) {
                    continue;
                }
                for (MemSeries ms : page) {
                    if (ms == null) {
                        continue;
                    }
                    begin(rec, HeadSnapshotLayout.SERIES);
                    synchronized (ms) {
                        rec.putBE64(ms.id);
                        rec.putUvarint(ms.labelPairs.length / 2);
                        for (byte[] s : ms.labelPairs) {
                            rec.putUvarintBytes(s);
                        }
                        rec.putUvarint(ms.closedCount());
                        rec.putBE64(ms.lastClosedMaxt());
                        rec.putUvarint(ms.numSamples());
                        if (ms.numSamples() > 0) {
                            rec.putUvarintBytes(ms.bytes());
                        }
                    }
                    end(rec, out);
                    series++;
                }
            }
            long[] expiries = head.walExpiries();
            for (int i = 0; i < expiries.length; i += 2) {
                begin(rec, HeadSnapshotLayout.EXPIRY);
                rec.putBE64(expiries[i]).putBE64(expiries[i + 1]);
                end(rec, out);
            }
            begin(rec, HeadSnapshotLayout.END);
            rec.putBE64(series).putBE64(expiries.length / 2).putBE64(head.nextId()).putBE64(head.minValidTime());
            end(rec, out);
            out.flush();
            ch.force(true);
        }
        return series;
    }

    private static void begin(EncBuf rec, byte type) {
        rec.reset();
        rec.putBE32(0);
        rec.putByte(type);
    }

    private static void end(EncBuf rec, OutputStream out) throws IOException {
        rec.setBE32(0, rec.len() - HeadSnapshotLayout.LEN_LENGTH);
        int crc = rec.crc32c(HeadSnapshotLayout.LEN_LENGTH);
        rec.putBE32(crc);
        out.write(rec.array(), 0, rec.len());
    }

    /**
     * Loads {@code file} into {@code head}, which is new and whose head chunk files were recovered; returns the
     * number of series loaded.
     */
    static long load(Head head, Path file) throws IOException, Unusable {
        long series = 0;
        long expiries = 0;
        CRC32C crc = new CRC32C();
        try (InputStream in = new BufferedInputStream(
                Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ)), 1 << 16)) {
            DataInputStream d = new DataInputStream(in);
            if (d.readInt() != HeadSnapshotLayout.MAGIC || d.readByte() != HeadSnapshotLayout.VERSION) {
                throw new Unusable("not a head snapshot (magic or version)");
            }
            d.skipNBytes(HeadSnapshotLayout.HEADER_SIZE - 5);
            byte[] buf = new byte[4096];
            while (true) {
                int len = d.readInt();
                if (len < 1 || len > (64 << 20)) {
                    throw new Unusable("record length " + len);
                }
                if (buf.length < len) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                }
                d.readFully(buf, 0, len);
                int stored = d.readInt();
                crc.reset();
                crc.update(buf, 0, len);
                if (stored != (int) crc.getValue()) {
                    throw new Unusable(String.format("record %d: stored CRC32C %08x, computed %08x",
                            series + expiries, stored, (int) crc.getValue()));
                }
                DecBuf b = new DecBuf(ByteBuffer.wrap(buf), 1, len);
                switch (buf[0]) {
                    case HeadSnapshotLayout.SERIES -> {
                        loadSeries(head, b);
                        series++;
                    }
                    case HeadSnapshotLayout.EXPIRY -> {
                        head.keepInWalUntil(b.be64(), b.be64());
                        expiries++;
                    }
                    case HeadSnapshotLayout.END -> {
                        long n = b.be64();
                        long e = b.be64();
                        if (n != series || e != expiries) {
                            throw new Unusable("END counts " + n + " series and " + e + " expiries, read " + series
                                    + " and " + expiries);
                        }
                        head.raiseNextId(b.be64() - 1);
                        head.setMinValidTime(b.be64());
                        return series;
                    }
                    default -> throw new Unusable("record type " + buf[0]);
                }
            }
        } catch (EOFException e) {
            throw new Unusable("torn: no END record after " + series + " series");
        } catch (FormatException e) {
            throw new Unusable("malformed record: " + e.getMessage());
        }
    }

    private static void loadSeries(Head head, DecBuf b) throws Unusable {
        long id = b.be64();
        int pairs = b.uvarint32();
        byte[][] nv = new byte[pairs * 2][];
        for (int i = 0; i < nv.length; i++) {
            nv[i] = b.uvarintBytes();
        }
        int closed = b.uvarint32();
        long lastClosedMaxt = b.be64();
        int open = b.uvarint32();
        byte[] data = open > 0 ? b.uvarintBytes() : null;
        MemSeries ms = head.restoreSeries(id, Labels.wrapSorted(nv));
        if (ms == null) {
            throw new Unusable("series " + id + ": its labels are another series' already");
        }
        synchronized (ms) {
            if (ms.closedCount() != closed || ms.lastClosedMaxt() != lastClosedMaxt) {
                throw new Unusable("series " + id + ": " + closed + " closed chunks to " + lastClosedMaxt
                        + " in the snapshot, " + ms.closedCount() + " to " + ms.lastClosedMaxt()
                        + " in the head chunk files");
            }
            if (data != null) {
                ms.restoreOpen(data, head.chunkRange());
                if (ms.numSamples() != open) {
                    throw new Unusable("series " + id + ": open chunk of " + ms.numSamples() + " samples, "
                            + open + " counted");
                }
            }
        }
        head.noteRestored(ms);
    }
}
