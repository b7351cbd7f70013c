package io.jreceive.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2ObjectHashMap;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;

/**
 * Writes a Prometheus index file, format version 2, in one forward pass: {@link #symbols} once, then
 * {@link #addSeries} for every series in label order, then {@link #finish}.
 *
 * <h2>File grammar</h2>
 * All fixed-width integers are big-endian; {@code uvarint}/{@code varint} are Go's LEB128 and zig-zag LEB128;
 * {@code str} is a uvarint byte length followed by UTF-8 bytes; "pad(n)" is zero bytes up to the next multiple of n
 * of the absolute file offset.
 * <pre>
 *  index        := header symbols series* pad(4) postings* offsetTable toc
 *  header       := magic(0xBAAAD700, 4) version(0x02, 1)                      see {@link IndexHeader}
 *  symbols      := len(4) count(4) str{count} crc(4)
 *  series       := pad(16) len(uvarint) labelCount(uvarint) (nameSym(uvarint) valueSym(uvarint)){labelCount}
 *                  chunkCount(uvarint) chunk0 chunkN{chunkCount-1} crc(4)
 *  chunk0       := mint(varint) maxt-mint(uvarint) ref(uvarint)
 *  chunkN       := mint-prevMaxt(uvarint) maxt-mint(uvarint) ref-prevRef(varint)
 *  postings     := len(4) count(4) seriesId(4){count} crc(4)
 *  offsetTable  := len(4) count(4) (0x02 name(str) value(str) listOffset(uvarint)){count} crc(4)
 *  toc          := symbolsOff(8) seriesOff(8) labelIndicesOff(8) labelIndicesTableOff(8) postingsOff(8)
 *                  offsetTableOff(8) crc(4)                                    see {@link IndexToc}
 * </pre>
 *
 * <h2>What each CRC covers, and why</h2>
 * Every CRC is CRC-32C stored big-endian. For symbols, postings and the offset table it covers exactly the
 * {@code len} bytes after the 4-byte {@code len} field (so the count, not the length, is protected: a reader that
 * trusted a corrupt length would already have read the wrong bytes). For a series it covers the {@code len} payload
 * bytes after the uvarint length. The TOC's CRC covers its 48 offset bytes. These are Prometheus' rules; readers
 * (Prometheus, promtool, Thanos) check them the same way.
 *
 * <h2>Ordering rules this writer enforces or relies on</h2>
 * <ul>
 * <li>Symbols hold every label name and value, unique, ascending in unsigned byte (UTF-8) order, referenced by
 *     ordinal. The all-postings key ("", "") needs no symbol.</li>
 * <li>Series are strictly ascending by {@link Labels#compareTo}; a series' ID is its entry's offset / 16. Each has at
 *     least one chunk; chunks are time-ordered, non-overlapping, with non-decreasing references across the file.</li>
 * <li>Postings lists start with the all-postings list ("", "") and follow in (name, value) byte order, physically in
 *     the order of the offset table (Thanos derives each list's extent from the next entry's offset).</li>
 * <li>No legacy label indices or label offset table are written: the TOC's label-indices offset equals the postings
 *     offset and its label-indices-table offset equals the offset-table offset, as Prometheus 3.7+ writes.</li>
 * </ul>
 */
public final class IndexWriter implements Closeable {
    private static final int FLUSH_AT = 1 << 20;
    private static final byte POSTINGS_KEY_COUNT = 2;
    private static final byte[] EMPTY = new byte[0];

    private final Path file;
    private final FileChannel ch;
    private final EncBuf out = new EncBuf(FLUSH_AT + 4096);
    private final EncBuf entry = new EncBuf(256);
    private long flushed;

    private byte[][] symbols;
    private long symbolsOff;
    private long seriesOff;
    private Labels last;
    private long lastChunkRef;
    private int[] ords = new int[32];
    private final IntArrayList all = new IntArrayList();
    /** (nameSymbol << 32 | valueSymbol) → series IDs. */
    private final Long2ObjectHashMap<IntArrayList> postings = new Long2ObjectHashMap<>();
    private boolean finished;

    /** Creates {@code file} (it must not exist) and writes the header. */
    public IndexWriter(Path file) throws IOException {
        this.file = file;
        this.ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        out.putBE32(IndexHeader.MAGIC).putByte(IndexHeader.VERSION);
    }

    public Path file() {
        return file;
    }

    private long pos() {
        return flushed + out.len();
    }

    /**
     * Writes the symbol table. Must be called once, before any series.
     *
     * @param sorted every label name and value the series will use, unique and ascending in unsigned byte order
     */
    public void symbols(Collection<byte[]> sorted) throws IOException {
        if (symbols != null) {
            throw new IllegalStateException("symbols already written");
        }
        byte[][] syms = sorted.toArray(new byte[0][]);
        for (int i = 1; i < syms.length; i++) {
            if (Arrays.compareUnsigned(syms[i - 1], syms[i]) >= 0) {
                throw new IllegalArgumentException("symbols not strictly ascending at ordinal " + i);
            }
        }
        symbols = syms;
        symbolsOff = pos();
        int start = out.len();
        out.putBE32(0).putBE32(syms.length);
        for (byte[] s : syms) {
            out.putUvarintBytes(s);
        }
        long len = out.len() - start - IndexHeader.LEN_LENGTH;
        if (len > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("symbol table larger than 4 GiB");
        }
        out.setBE32(start, (int) len);
        out.putBE32(out.crc32c(start + IndexHeader.LEN_LENGTH));
        seriesOff = pos();
        maybeFlush();
    }

    /**
     * Appends a series with the metas of its chunks {@code [0, numChunks)} and returns its ID.
     *
     * @throws IllegalArgumentException if the series is not after the previous one in label order, has no chunks,
     *                                  uses a label missing from the symbols, or its chunks are unordered
     */
    public int addSeries(Labels labels, int numChunks, long[] minTimes, long[] maxTimes, long[] refs)
            throws IOException {
        if (symbols == null) {
            throw new IllegalStateException("symbols must be written before series");
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("series with an empty label set");
        }
        if (last != null && last.compareTo(labels) >= 0) {
            throw new IllegalArgumentException("series out of order: " + labels + " after " + last);
        }
        if (numChunks < 1) {
            throw new IllegalArgumentException("series without chunks: " + labels);
        }
        entry.reset();
        entry.putUvarint(labels.size());
        int n = labels.size();
        if (ords.length < 2 * n) {
            ords = new int[2 * n];
        }
        final int[] ords = this.ords;
        for (int i = 0; i < n; i++) {
            ords[2 * i] = symbol(labels.name(i), labels);
            ords[2 * i + 1] = symbol(labels.value(i), labels);
            entry.putUvarint(ords[2 * i]).putUvarint(ords[2 * i + 1]);
        }
        entry.putUvarint(numChunks);
        long prevMax = 0;
        long prevRef = 0;
        for (int c = 0; c < numChunks; c++) {
            long mint = minTimes[c];
            long maxt = maxTimes[c];
            long ref = refs[c];
            if (mint > maxt) {
                throw new IllegalArgumentException("chunk " + c + " of " + labels + " has mint " + mint + " > maxt "
                        + maxt);
            }
            if (Long.compareUnsigned(ref, lastChunkRef) < 0) {
                throw new IllegalArgumentException("chunk ref " + ref + " of " + labels + " below previous "
                        + lastChunkRef);
            }
            if (c == 0) {
                entry.putVarint(mint).putUvarint(maxt - mint).putUvarint(ref);
            } else {
                if (mint <= prevMax) {
                    throw new IllegalArgumentException("chunk " + c + " of " + labels + " starts at " + mint
                            + ", not after the previous chunk's end " + prevMax);
                }
                entry.putUvarint(mint - prevMax).putUvarint(maxt - mint).putVarint(ref - prevRef);
            }
            prevMax = maxt;
            prevRef = ref;
            lastChunkRef = ref;
        }
        out.padTo(flushed, IndexHeader.SERIES_ALIGNMENT);
        long id = pos() / IndexHeader.SERIES_ALIGNMENT;
        if (id > Integer.MAX_VALUE) {
            throw new IllegalStateException("index series section exceeds " + (long) Integer.MAX_VALUE * 16
                    + " bytes");
        }
        out.putUvarint(entry.len()).putBytes(entry.array(), 0, entry.len()).putBE32(entry.crc32c(0));
        int sid = (int) id;
        all.addInt(sid);
        for (int i = 0; i < n; i++) {
            long key = ((long) ords[2 * i] << 32) | ords[2 * i + 1];
            IntArrayList l = postings.get(key);
            if (l == null) {
                l = new IntArrayList(4, IntArrayList.DEFAULT_NULL_VALUE);
                postings.put(key, l);
            }
            l.addInt(sid);
        }
        last = labels;
        maybeFlush();
        return sid;
    }

    private int symbol(byte[] s, Labels labels) {
        int i = Arrays.binarySearch(symbols, s, Arrays::compareUnsigned);
        if (i >= 0) {
            return i;
        }
        throw new IllegalArgumentException("label string missing from the symbol table in " + labels);
    }

    /** Writes postings, the postings offset table and the TOC, syncs and closes the file. Returns the TOC. */
    public IndexToc finish() throws IOException {
        if (symbols == null) {
            throw new IllegalStateException("symbols were never written");
        }
        long postingsOff = pos();
        long[] keys = new long[postings.size()];
        int k = 0;
        for (Long2ObjectHashMap<IntArrayList>.KeyIterator it = postings.keySet().iterator(); it.hasNext();) {
            keys[k++] = it.nextLong();
        }
        Arrays.sort(keys); // name ordinal, then value ordinal: byte order of (name, value) since symbols are sorted
        EncBuf table = new EncBuf(64 + keys.length * 24);
        table.putBE32(0).putBE32(keys.length + 1);
        out.padTo(flushed, IndexHeader.SECTION_ALIGNMENT);
        tableEntry(table, EMPTY, EMPTY, pos());
        writePostings(all);
        for (long key : keys) {
            out.padTo(flushed, IndexHeader.SECTION_ALIGNMENT);
            tableEntry(table, symbols[(int) (key >>> 32)], symbols[(int) key], pos());
            writePostings(postings.get(key));
        }
        long tableOff = pos();
        table.setBE32(0, table.len() - IndexHeader.LEN_LENGTH);
        table.putBE32(table.crc32c(IndexHeader.LEN_LENGTH));
        out.putBytes(table.array(), 0, table.len());
        IndexToc toc = new IndexToc(symbolsOff, seriesOff, postingsOff, tableOff, postingsOff, tableOff);
        toc.encode(out);
        flush();
        ch.force(true);
        ch.close();
        finished = true;
        return toc;
    }

    private static void tableEntry(EncBuf table, byte[] name, byte[] value, long offset) {
        table.putByte(POSTINGS_KEY_COUNT).putUvarintBytes(name).putUvarintBytes(value).putUvarint(offset);
    }

    private void writePostings(IntArrayList ids) throws IOException {
        int n = ids.size();
        int start = out.len();
        out.putBE32(IndexHeader.LEN_LENGTH + 4 * n).putBE32(n);
        for (int i = 0; i < n; i++) {
            out.putBE32(ids.getInt(i));
        }
        out.putBE32(out.crc32c(start + IndexHeader.LEN_LENGTH));
        maybeFlush();
    }

    private void maybeFlush() throws IOException {
        if (out.len() >= FLUSH_AT) {
            flush();
        }
    }

    private void flush() throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(out.array(), 0, out.len());
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
        flushed += out.len();
        out.reset();
    }

    /** Closes the file; if {@link #finish()} was not called the file is incomplete and the caller deletes it. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            ch.close();
        }
    }
}
