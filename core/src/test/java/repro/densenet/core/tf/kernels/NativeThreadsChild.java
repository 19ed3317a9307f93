package repro.densenet.core.tf.kernels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TType;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.tf.layers.FusedBnRelu;
import repro.densenet.core.tf.layers.GemmTrainConv2d;

/**
 * Child JVM of {@link NativeThreadsTest}, run with {@code DENSENET_OPS_THREADS} set: runs every
 * native op on tensors well above the kernels' 64K-float threading threshold (three chained
 * BN-ReLUs over parts of 24, 40 and 12 channels and a 3x3 MatMul convolution, forward and
 * gradients) and prints {@code OUT <name> <SHA-256 of the bytes>} per output, then {@code TASKS
 * <threads started since main began>} (from {@code /proc/self/task}: the kernels' pool workers
 * among them; TensorFlow may run the kernels while it builds the graph).
 */
public final class NativeThreadsChild {

  /** N, H, W: 8192 pixels, so a 12-channel part alone is 98,304 floats. */
  static final int N = 32;
  static final int H = 16;
  static final int W = 16;
  static final int[] CHANNELS = {24, 40, 12};

  private NativeThreadsChild() {}

  public static void main(String[] args) throws Exception {
    int before = tasks();
    Random r = new Random(11);
    List<String> names = new ArrayList<>();
    List<Operand<?>> fetches = new ArrayList<>();
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> parts = new ArrayList<>();
      List<Operand<TFloat64>> sums = new ArrayList<>();
      for (int c : CHANNELS) {
        Operand<TFloat32> part = random(tf, r, N, H, W, c);
        parts.add(part);
        sums.add(NativeOps.partSums(tf, part));
      }
      List<Operand<?>> wrt = new ArrayList<>(parts);
      List<FusedBnRelu.Link> links = new ArrayList<>();
      Operand<TFloat32> loss = null;
      for (int layer = 0; layer < CHANNELS.length; layer++) {
        int total = 0;
        for (int i = 0; i <= layer; i++) {
          total += CHANNELS[i];
        }
        Operand<TFloat32> gamma = tf.math.add(random(tf, r, total), tf.constant(1f));
        Operand<TFloat32> beta = random(tf, r, total);
        links.add(FusedBnRelu.Link.start(parts.get(layer)));
        FusedBnRelu.Result res =
            FusedBnRelu.build(
                tf, parts.subList(0, layer + 1), links, sums.subList(0, layer + 1), gamma, beta,
                tf.constant(new float[total]), tf.math.add(tf.constant(new float[total]), tf.constant(1f)),
                1e-5f, 0.1f, H, W, total);
        for (int i = 0; i <= layer; i++) {
          links.set(i, res.passedThrough().get(i));
        }
        Operand<TFloat32> rebuilt = res.recomputed().rebuild(tf, res.y());
        // a 3x3 convolution of 12 outputs over the activation: DenseShiftAdd / DenseShiftGather
        Operand<TFloat32> filter = random(tf, r, 3, 3, total, 12);
        Operand<TFloat32> conv = GemmTrainConv2d.conv2d(tf, res.y(), filter, H, W, total, 12, 3, null);
        Operand<TFloat32> term =
            tf.math.add(
                tf.sum(tf.math.mul(conv, random(tf, r, N, H, W, 12)), tf.constant(new int[] {0, 1, 2, 3})),
                tf.sum(tf.math.mul(res.y(), random(tf, r, N, H, W, total)), tf.constant(new int[] {0, 1, 2, 3})));
        loss = loss == null ? term : tf.math.add(loss, term);
        wrt.add(gamma);
        wrt.add(beta);
        wrt.add(filter);
        add(names, fetches, "y" + layer, res.y());
        add(names, fetches, "rebuilt" + layer, rebuilt);
        add(names, fetches, "movingMean" + layer, res.movingMean());
        add(names, fetches, "movingVariance" + layer, res.movingVariance());
        add(names, fetches, "conv" + layer, conv);
      }
      for (int i = 0; i < sums.size(); i++) {
        add(names, fetches, "sums" + i, sums.get(i));
      }
      Gradients grads = tf.gradients(loss, wrt);
      for (int i = 0; i < wrt.size(); i++) {
        add(names, fetches, "grad" + i, grads.dy(i));
      }
      ConfigProto config =
          ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build();
      try (Session s = new Session(g, config)) {
        Session.Runner runner = s.runner();
        fetches.forEach(runner::fetch);
        try (Result res = runner.run()) {
          MessageDigest all = MessageDigest.getInstance("SHA-256");
          for (int i = 0; i < names.size(); i++) {
            byte[] bytes = bytes((TType) res.get(i));
            all.update(bytes);
            System.out.println("OUT " + names.get(i) + " " + bytes.length + " "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
          }
          System.out.println("ALL " + HexFormat.of().formatHex(all.digest()));
        }
        System.out.println("TASKS " + (tasks() - before));
      }
    }
  }

  private static void add(List<String> names, List<Operand<?>> fetches, String name, Operand<?> o) {
    names.add(name);
    fetches.add(o);
  }

  private static byte[] bytes(TType t) {
    byte[] b = new byte[Math.toIntExact(t.asRawTensor().numBytes())];
    t.asRawTensor().data().read(b);
    return b;
  }

  private static int tasks() throws java.io.IOException {
    try (var s = Files.list(Path.of("/proc/self/task"))) {
      return (int) s.count();
    }
  }

  private static Operand<TFloat32> random(Ops tf, Random r, int... shape) {
    int size = 1;
    long[] dims = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      size *= shape[i];
      dims[i] = shape[i];
    }
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return tf.constant(Shape.of(dims), DataBuffers.of(v, true, false));
  }
}
