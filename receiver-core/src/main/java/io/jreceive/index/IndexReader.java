package io.jreceive.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

import io.jreceive.block.CorruptBlockException;
import io.jreceive.block.FileMapping;
import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.labels.Labels;

/**
 * Reads a memory-mapped index file of format version 2 (grammar in {@link IndexWriter}). Opening checks the magic,
 * the version, the TOC's CRC, and the CRCs and sort order of the symbol table and the postings offset table, and
 * loads both into memory. A postings list's or series entry's CRC is checked each time it is read. Every failed check
 * throws {@link CorruptBlockException} naming the file and offset. Reads are safe from many threads;
 * {@link #close()} unmaps the file and must not race with reads.
 */
public final class IndexReader implements Closeable {
    private static final byte[] EMPTY = new byte[0];

    private final Path file;
    private MappedByteBuffer b;
    private final IndexToc toc;
    private final byte[][] symbols;
    /** Names of the postings offset table in byte order, the all-postings name "" first. */
    private final byte[][] names;
    /** Per name: its values in byte order and the file offsets of their postings lists. */
    private final byte[][][] values;
    private final long[][] offsets;

    private IndexReader(Path file, MappedByteBuffer b) {
        this.file = file;
        this.b = b;
        int size = b.capacity();
        if (size < IndexHeader.SIZE + IndexToc.SIZE) {
            throw CorruptBlockException.format(file, 0, "index of " + size + " bytes is shorter than header and TOC");
        }
        int magic = b.getInt(IndexHeader.MAGIC_OFFSET);
        if (magic != IndexHeader.MAGIC) {
            throw CorruptBlockException.format(file, IndexHeader.MAGIC_OFFSET,
                    String.format("bad index magic %08x, want %08x", magic, IndexHeader.MAGIC));
        }
        int version = b.get(IndexHeader.VERSION_OFFSET);
        if (version != IndexHeader.VERSION) {
            throw CorruptBlockException.format(file, IndexHeader.VERSION_OFFSET, "unsupported index version " + version);
        }
        toc = IndexToc.decode(b, size - IndexToc.SIZE, file);
        symbols = readSymbols();
        List<byte[]> nameList = new ArrayList<>();
        List<byte[][]> valueList = new ArrayList<>();
        List<long[]> offsetList = new ArrayList<>();
        readOffsetTable(nameList, valueList, offsetList);
        names = nameList.toArray(new byte[0][]);
        values = valueList.toArray(new byte[0][][]);
        offsets = offsetList.toArray(new long[0][]);
    }

    /** Maps and checks {@code file}. */
    public static IndexReader open(Path file) throws IOException {
        MappedByteBuffer m = FileMapping.map(file);
        try {
            return new IndexReader(file, m);
        } catch (RuntimeException e) {
            FileMapping.unmap(m);
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public IndexToc toc() {
        return toc;
    }

    public int numSymbols() {
        return symbols.length;
    }

    /** The symbol with {@code ordinal}; callers must not modify it. */
    public byte[] symbol(int ordinal) {
        return symbols[ordinal];
    }

    /** Offset of a fixed-length section's payload after checking its bounds and CRC; returns the payload length. */
    private int checkSection(long off, String what) {
        int size = b.capacity() - IndexToc.SIZE;
        if (off < IndexHeader.SIZE || off + IndexHeader.LEN_LENGTH + IndexHeader.CRC_LENGTH > size) {
            throw CorruptBlockException.format(file, off, what + " offset outside the index");
        }
        long len = b.getInt((int) off) & 0xFFFFFFFFL;
        long end = off + IndexHeader.LEN_LENGTH + len;
        if (end + IndexHeader.CRC_LENGTH > size) {
            throw CorruptBlockException.format(file, off, what + " length " + len + " runs past the end of the index");
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice((int) off + IndexHeader.LEN_LENGTH, (int) len));
        int computed = (int) crc.getValue();
        int stored = b.getInt((int) end);
        if (stored != computed) {
            throw CorruptBlockException.checksum(file, off, what, stored, computed);
        }
        return (int) len;
    }

    private byte[][] readSymbols() {
        long off = toc.symbols();
        int len = checkSection(off, "symbol table");
        int start = (int) off + IndexHeader.LEN_LENGTH;
        DecBuf d = new DecBuf(b, start, start + len);
        try {
            int n = d.be32();
            if (n < 0 || n > len) {
                throw CorruptBlockException.format(file, off, "symbol count " + Integer.toUnsignedString(n)
                        + " does not fit a " + len + "-byte table");
            }
            byte[][] syms = new byte[n][];
            for (int i = 0; i < n; i++) {
                syms[i] = d.uvarintBytes();
                if (i > 0 && Arrays.compareUnsigned(syms[i - 1], syms[i]) >= 0) {
                    throw CorruptBlockException.format(file, off, "symbols not strictly ascending at ordinal " + i);
                }
            }
            return syms;
        } catch (FormatException e) {
            throw CorruptBlockException.format(file, off, "symbol table: " + e.getMessage(), e);
        }
    }

    private void readOffsetTable(List<byte[]> nameList, List<byte[][]> valueList, List<long[]> offsetList) {
        long off = toc.postingsTable();
        int len = checkSection(off, "postings offset table");
        int start = (int) off + IndexHeader.LEN_LENGTH;
        DecBuf d = new DecBuf(b, start, start + len);
        try {
            int n = d.be32();
            if (n < 0 || n > len) {
                throw CorruptBlockException.format(file, off, "postings offset table count "
                        + Integer.toUnsignedString(n) + " does not fit a " + len + "-byte table");
            }
            byte[] prevName = null;
            byte[] prevValue = null;
            List<byte[]> vals = new ArrayList<>();
            List<Long> offs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int keys = d.uvarint32();
                if (keys != 2) {
                    throw CorruptBlockException.format(file, off, "postings offset table entry " + i + " has "
                            + keys + " key parts, want 2");
                }
                byte[] name = d.uvarintBytes();
                byte[] value = d.uvarintBytes();
                long listOff = d.uvarint();
                boolean sameName = prevName != null && Arrays.equals(prevName, name);
                if (prevName != null && (Arrays.compareUnsigned(prevName, name) > 0
                        || sameName && Arrays.compareUnsigned(prevValue, value) >= 0)) {
                    throw CorruptBlockException.format(file, off, "postings offset table entry " + i
                            + " out of order");
                }
                if (prevName != null && !sameName) {
                    flushName(prevName, vals, offs, nameList, valueList, offsetList);
                }
                vals.add(value);
                offs.add(listOff);
                prevName = name;
                prevValue = value;
            }
            if (prevName != null) {
                flushName(prevName, vals, offs, nameList, valueList, offsetList);
            }
        } catch (FormatException e) {
            throw CorruptBlockException.format(file, off, "postings offset table: " + e.getMessage(), e);
        }
    }

    private static void flushName(byte[] name, List<byte[]> vals, List<Long> offs, List<byte[]> nameList,
            List<byte[][]> valueList, List<long[]> offsetList) {
        nameList.add(name);
        valueList.add(vals.toArray(new byte[0][]));
        long[] o = new long[offs.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = offs.get(i);
        }
        offsetList.add(o);
        vals.clear();
        offs.clear();
    }

    /** Index of {@code key} in {@code sorted} (unsigned byte order), or a negative number if absent. */
    private static int find(byte[][] sorted, byte[] key) {
        return Arrays.binarySearch(sorted, key, Arrays::compareUnsigned);
    }

    /** Label names in byte order, without the all-postings key. */
    public List<byte[]> labelNames() {
        List<byte[]> out = new ArrayList<>(names.length);
        for (byte[] n : names) {
            if (n.length > 0) {
                out.add(n);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Values of {@code name} in byte order; empty if absent. */
    public List<byte[]> labelValues(byte[] name) {
        if (name.length == 0) {
            return List.of();
        }
        int i = find(names, name);
        return i < 0 ? List.of() : Collections.unmodifiableList(Arrays.asList(values[i]));
    }

    /** Series IDs with {@code name=value}, ascending; empty if the pair is absent. */
    public int[] postings(byte[] name, byte[] value) {
        int i = find(names, name);
        if (i < 0) {
            return new int[0];
        }
        int j = find(values[i], value);
        return j < 0 ? new int[0] : readPostings(offsets[i][j]);
    }

    /** Every series ID, from the all-postings list ("", ""). */
    public int[] allPostings() {
        return postings(EMPTY, EMPTY);
    }

    private int[] readPostings(long off) {
        int len = checkSection(off, "postings list");
        int p = (int) off + IndexHeader.LEN_LENGTH;
        int n = b.getInt(p);
        if (n < 0 || (long) n * 4 + 4 != len) {
            throw CorruptBlockException.format(file, off, "postings list of " + Integer.toUnsignedString(n)
                    + " entries in " + len + " bytes");
        }
        int[] ids = new int[n];
        p += 4;
        for (int i = 0; i < n; i++) {
            ids[i] = b.getInt(p);
            p += 4;
            if (i > 0 && ids[i] <= ids[i - 1]) {
                throw CorruptBlockException.format(file, off, "postings list not strictly ascending at entry " + i);
            }
        }
        return ids;
    }

    /** The labels of series {@code id}. */
    public Labels labels(int id) {
        return decode(id, null);
    }

    /** Decodes series {@code id}'s labels and chunk metas into {@code into}. */
    public void series(int id, SeriesEntry into) {
        decode(id, into);
    }

    private Labels decode(int id, SeriesEntry into) {
        long off = (long) id * IndexHeader.SERIES_ALIGNMENT;
        if (id <= 0 || off < toc.series() || off >= toc.postings()) {
            throw CorruptBlockException.format(file, off, "series ID " + id + " outside the series section");
        }
        int limit = (int) toc.postings();
        DecBuf d = new DecBuf(b, (int) off, limit);
        try {
            int len = d.uvarint32();
            int start = d.position();
            if ((long) start + len + IndexHeader.CRC_LENGTH > limit) {
                throw CorruptBlockException.format(file, off, "series entry of " + len + " bytes runs past the "
                        + "series section");
            }
            CRC32C crc = new CRC32C();
            crc.update(b.slice(start, len));
            int computed = (int) crc.getValue();
            int stored = b.getInt(start + len);
            if (stored != computed) {
                throw CorruptBlockException.checksum(file, off, "series entry " + id, stored, computed);
            }
            d = new DecBuf(b, start, start + len);
            int nl = d.uvarint32();
            if (nl > len) {
                throw CorruptBlockException.format(file, off, "series " + id + " claims " + nl + " labels");
            }
            byte[][] nv = new byte[2 * nl][];
            for (int i = 0; i < nl; i++) {
                nv[2 * i] = symbolAt(d.uvarint32(), off);
                nv[2 * i + 1] = symbolAt(d.uvarint32(), off);
                if (i > 0 && Arrays.compareUnsigned(nv[2 * i - 2], nv[2 * i]) >= 0) {
                    throw CorruptBlockException.format(file, off, "series " + id + " label names out of order");
                }
            }
            Labels labels = Labels.wrapSorted(nv);
            if (into == null) {
                return labels;
            }
            int nc = d.uvarint32();
            if (nc > d.remaining() / 3) {
                throw CorruptBlockException.format(file, off, "series " + id + " claims " + nc + " chunks in "
                        + len + " bytes");
            }
            into.reset(labels, nc);
            long maxt = 0;
            long ref = 0;
            for (int c = 0; c < nc; c++) {
                long mint;
                if (c == 0) {
                    mint = d.varint();
                    maxt = mint + d.uvarint();
                    ref = d.uvarint();
                } else {
                    mint = maxt + d.uvarint();
                    maxt = mint + d.uvarint();
                    ref += d.varint();
                }
                into.add(mint, maxt, ref);
            }
            return labels;
        } catch (FormatException e) {
            throw CorruptBlockException.format(file, off, "series " + id + ": " + e.getMessage(), e);
        }
    }

    private byte[] symbolAt(int ordinal, long off) {
        if (ordinal >= symbols.length) {
            throw CorruptBlockException.format(file, off, "symbol ordinal " + ordinal + " out of range ("
                    + symbols.length + " symbols)");
        }
        return symbols[ordinal];
    }

    /** Unmaps the file. No read may run concurrently or afterwards. */
    @Override
    public void close() {
        if (b != null) {
            FileMapping.unmap(b);
            b = null;
        }
    }
}
