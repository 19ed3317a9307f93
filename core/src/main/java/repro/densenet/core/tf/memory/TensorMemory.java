package repro.densenet.core.tf.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.ndarray.buffer.DataStorageVisitor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Direct NIO views of a tensor's native memory, so that batches can be written straight into the
 * tensor that is fed to the session (no intermediate float[] and no copy).
 *
 * <p>TensorFlow Java maps tensor memory as an unsafe raw buffer whose storage visitor reveals the
 * native address; JavaCPP turns an address into a direct {@link ByteBuffer}. The view is valid
 * only while the tensor is open.
 */
public final class TensorMemory {

  private TensorMemory() {}

  /** A direct float view over all of {@code t}'s elements (native byte order). */
  public static FloatBuffer floats(TFloat32 t) {
    return bytes(t).asFloatBuffer();
  }

  /** A direct int view over all of {@code t}'s elements (native byte order). */
  public static IntBuffer ints(TInt32 t) {
    return bytes(t).asIntBuffer();
  }

  private static ByteBuffer bytes(TType t) {
    long expected = t.asRawTensor().numBytes();
    ByteBuffer b =
        t.asRawTensor()
            .data()
            .accept(
                new DataStorageVisitor<ByteBuffer>() {
                  @Override
                  public ByteBuffer visit(ByteBuffer buffer) {
                    return buffer.isDirect() ? buffer : null;
                  }

                  @Override
                  public ByteBuffer visit(long address, long length, long scale) {
                    return new AddressPointer(address, length).asByteBuffer();
                  }

                  @Override
                  public ByteBuffer fallback() {
                    return null;
                  }
                });
    if (b == null || b.capacity() < expected) {
      throw new IllegalStateException(
          "tensor memory of " + t.shape() + " cannot be viewed directly by this TensorFlow Java build");
    }
    // JavaCPP sizes the view by its own element size; cut it to exactly the tensor's bytes.
    b.position(0).limit(Math.toIntExact(expected));
    return b.slice().order(ByteOrder.nativeOrder());
  }

  /** A JavaCPP pointer to memory owned by someone else (the tensor). */
  private static final class AddressPointer extends Pointer {
    AddressPointer(long address, long bytes) {
      this.address = address;
      this.limit = bytes;
      this.capacity = bytes;
    }
  }
}
