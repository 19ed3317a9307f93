package repro.densenet.datasets.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.FileProblems;

/**
 * Checks the sizes a MATLAB v5 file declares before mfl-core reads it, because mfl allocates every
 * array from its declared size: a top-level element must fit in the file, a compressed one must
 * not claim more than deflate can expand to, and the numeric data of the variables SVHN uses must
 * be exactly as large as their dimensions say and fit in the element that holds them. Only the
 * headers are read (for a compressed element, the first few KiB of its inflated bytes).
 *
 * <p>Layout (MathWorks, "MAT-File Format"): a 128-byte header whose last two bytes are {@code IM}
 * (little-endian) or {@code MI}; then data elements, each an 8-byte tag (type, byte count) or a
 * 4-byte "small element" tag with up to 4 data bytes; a variable is a {@code miMATRIX} element
 * (type 14), possibly wrapped in a zlib {@code miCOMPRESSED} element (type 15), whose
 * sub-elements are array flags, dimensions, name and the real data.
 */
final class Mat5Check {

  private static final int FILE_HEADER = 128;
  private static final int MI_MATRIX = 14;
  private static final int MI_COMPRESSED = 15;
  /** Variable headers (flags, dimensions, name, data tag) are far smaller than this. */
  private static final int HEADER_WINDOW = 4096;
  /** Compressed bytes inflated to read a compressed variable's header. */
  private static final int COMPRESSED_WINDOW = 1 << 16;

  private Mat5Check() {}

  /**
   * Refuses {@code file} if a declared size is impossible; {@code checked} names the variables
   * whose data sizes are verified (other variables are skipped by the reader).
   */
  static void check(Path file, long fileSize, Set<String> checked) throws IOException {
    if (fileSize < FILE_HEADER + 8) {
      throw new DatasetFormatException(
          file, "file is not a readable MATLAB v5 file (" + fileSize + " bytes, shorter than the 128-byte"
              + " header and one 8-byte element tag)");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = read(ch, 0, FILE_HEADER);
      ByteOrder order;
      if (head.get(126) == 'I' && head.get(127) == 'M') {
        order = ByteOrder.LITTLE_ENDIAN;
      } else if (head.get(126) == 'M' && head.get(127) == 'I') {
        order = ByteOrder.BIG_ENDIAN;
      } else {
        throw new DatasetFormatException(
            file, "file is not a readable MATLAB v5 file (bytes 126-127 are not the endian indicator IM or MI)");
      }
      long pos = FILE_HEADER;
      while (pos < fileSize) {
        if (fileSize - pos < 8) {
          throw new DatasetFormatException(
              file, "file is truncated: it ends inside the data element tag at offset " + pos);
        }
        ByteBuffer tag = read(ch, pos, 8).order(order);
        int type = tag.getInt(0);
        long declared = Integer.toUnsignedLong(tag.getInt(4));
        long room = fileSize - pos - 8;
        if (type != MI_MATRIX && type != MI_COMPRESSED) {
          throw new DatasetFormatException(
              file, "data element at offset " + pos + " has type " + type + ", expected a matrix (14) or"
                  + " a compressed matrix (15)");
        }
        if (declared > room) {
          throw new DatasetFormatException(
              file, "data element at offset " + pos + " declares " + declared + " bytes but only " + room
                  + " remain in the file, so the file is truncated or its header is broken");
        }
        if (type == MI_MATRIX) {
          ByteBuffer body = read(ch, pos + 8, (int) Math.min(declared, HEADER_WINDOW)).order(order);
          variable(file, pos, body, declared, checked);
        } else {
          compressed(file, ch, pos, declared, order, checked);
        }
        pos += 8 + declared;
      }
    } catch (IOException e) {
      throw FileProblems.explain(e, file);
    }
  }

  private static void compressed(
      Path file, FileChannel ch, long pos, long declared, ByteOrder order, Set<String> checked)
      throws IOException {
    ByteBuffer packed = read(ch, pos + 8, (int) Math.min(declared, COMPRESSED_WINDOW));
    Inflater inf = new Inflater();
    byte[] out = new byte[8 + HEADER_WINDOW];
    int n = 0;
    try {
      inf.setInput(packed);
      while (n < out.length && !inf.finished() && !inf.needsInput()) {
        int k = inf.inflate(out, n, out.length - n);
        if (k == 0 && inf.needsDictionary()) {
          break;
        }
        n += k;
      }
    } catch (DataFormatException e) {
      throw new DatasetFormatException(
          file, "compressed element at offset " + pos + " is not a valid zlib stream ("
              + FileProblems.reason(e) + ")", e);
    } finally {
      inf.end();
    }
    if (n < 8) {
      throw new DatasetFormatException(
          file, "compressed element at offset " + pos + " inflates to only " + n + " bytes, too few for"
              + " a matrix");
    }
    ByteBuffer b = ByteBuffer.wrap(out, 0, n).order(order);
    int type = b.getInt(0);
    long inner = Integer.toUnsignedLong(b.getInt(4));
    if (type != MI_MATRIX) {
      throw new DatasetFormatException(
          file, "compressed element at offset " + pos + " holds type " + type + ", expected a matrix (14)");
    }
    long max = Inputs.DEFLATE_MAX_RATIO * declared;
    if (inner + 8 > max) {
      throw new DatasetFormatException(
          file, "compressed element at offset " + pos + " declares a " + inner + "-byte matrix but its "
              + declared + " compressed bytes inflate to at most " + max + " (deflate expands at most "
              + Inputs.DEFLATE_MAX_RATIO + "-fold), so the file is truncated or its header is broken");
    }
    ByteBuffer body = ByteBuffer.wrap(out, 8, n - 8).slice().order(order);
    variable(file, pos, body, inner, checked);
  }

  /** Checks one matrix whose body (after its tag) starts {@code body}; {@code declared} is its size. */
  private static void variable(Path file, long pos, ByteBuffer body, long declared, Set<String> checked)
      throws IOException {
    if (declared == 0) {
      return; // an empty matrix
    }
    Cursor c = new Cursor(file, pos, body);
    c.next(); // array flags
    c.inWindow("array flags");
    if (c.bytes < 4) {
      throw c.broken("array flags");
    }
    int flags = body.getInt(c.data);
    int mxClass = flags & 0xFF;
    c.next(); // dimensions
    c.inWindow("dimensions");
    if (c.bytes < 8 || c.bytes % 4 != 0) {
      throw c.broken("dimensions");
    }
    int[] dims = new int[(int) (c.bytes / 4)];
    BigInteger elements = BigInteger.ONE;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = body.getInt(c.data + 4 * i);
      if (dims[i] < 0) {
        throw c.broken("dimensions");
      }
      elements = elements.multiply(BigInteger.valueOf(dims[i]));
    }
    c.next(); // name
    c.inWindow("name");
    byte[] nameBytes = new byte[(int) c.bytes];
    body.get(c.data, nameBytes);
    String name = new String(nameBytes, java.nio.charset.StandardCharsets.US_ASCII);
    boolean numeric = mxClass >= 6 && mxClass <= 15;
    if (!checked.contains(name) || !numeric) {
      return; // skipped by the reader (other names), or refused by it after reading (other classes)
    }
    c.next(); // real part
    int width = switch (c.type) {
      case 1, 2 -> 1;
      case 3, 4 -> 2;
      case 5, 6, 7 -> 4;
      case 9, 12, 13 -> 8;
      default -> throw new DatasetFormatException(
          file, "variable " + name + " stores its data with MAT type " + c.type + ", which is not numeric");
    };
    String shape = Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    BigInteger needed = elements.multiply(BigInteger.valueOf(width));
    if (needed.compareTo(BigInteger.valueOf(Inputs.MAX_ARRAY)) > 0) {
      throw new DatasetFormatException(
          file, "variable " + name + " declares " + shape + " elements = " + needed + " bytes, more than the "
              + Inputs.MAX_ARRAY + " one array can hold, so the header is broken");
    }
    if (c.bytes != needed.longValue()) {
      throw new DatasetFormatException(
          file, "variable " + name + " declares " + shape + " elements of " + width + " byte(s) = " + needed
              + " bytes but its data element holds " + c.bytes + ", so the file is broken");
    }
    if (c.data + c.bytes > declared) {
      throw new DatasetFormatException(
          file, "variable " + name + " declares " + c.bytes + " data bytes but its matrix element holds"
              + " only " + (declared - c.data) + " after the header, so the file is truncated or its"
              + " header is broken");
    }
  }

  /** Walks the sub-element tags of a matrix header held in a buffer. */
  private static final class Cursor {
    final Path file;
    final long pos;
    final ByteBuffer b;
    int at;
    int type;
    long bytes;
    int data;

    Cursor(Path file, long pos, ByteBuffer b) {
      this.file = file;
      this.pos = pos;
      this.b = b;
    }

    void next() throws DatasetFormatException {
      if (at + 8 > b.limit()) {
        throw broken("header");
      }
      int w = b.getInt(at);
      if ((w >>> 16) != 0) { // small element: 2-byte count, 2-byte type, up to 4 data bytes
        type = w & 0xFFFF;
        bytes = w >>> 16;
        data = at + 4;
        if (bytes > 4) {
          throw broken("header");
        }
        at += 8;
      } else {
        type = w;
        bytes = Integer.toUnsignedLong(b.getInt(at + 4));
        data = at + 8;
        at = (int) Math.min(Integer.MAX_VALUE, data + ((bytes + 7) & ~7L));
      }
    }

    /** Requires the current sub-element's bytes to lie in the buffer (all but the data do). */
    void inWindow(String what) throws DatasetFormatException {
      if (data + bytes > b.limit()) {
        throw broken(what);
      }
    }

    DatasetFormatException broken(String what) {
      return new DatasetFormatException(
          file, "matrix at offset " + pos + " has a broken " + what + " sub-element, so the file is broken");
    }
  }

  private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        break;
      }
    }
    return b.flip();
  }
}
