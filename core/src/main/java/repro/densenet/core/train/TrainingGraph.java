package repro.densenet.core.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.NetBuilder;
import repro.densenet.core.model.ParamKind;
import repro.densenet.core.model.Parameters;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.tf.layers.GemmTrainConv2d;

/**
 * One network's TensorFlow graph and session: a training pass with its gradients and Nesterov
 * updates, and a separate inference pass (moving-average BN, no dropout, no gradients) over the
 * same variables.
 *
 * <p>The training step is: forward with batch statistics; loss = mean cross-entropy + weightDecay
 * * sum(w^2)/2 over every trainable parameter; gradients by {@link Graph#addGradients}; then,
 * after every gradient has been computed (a control-dependency barrier, so no update can race a
 * backward op that still reads the old value), {@code ApplyMomentum(useNesterov)} with a fed
 * learning rate, and assignment of the updated BN moving averages.
 *
 * <p>Every variable (weights, BN moving statistics, momentum slots) can be read out and written
 * back exactly through {@link #readState()} / {@link #writeState(Map)}; initialisation is done
 * the same way from values generated in Java from the init seed, so a run is reproducible
 * without relying on TensorFlow's stateful random ops.
 */
public final class TrainingGraph implements AutoCloseable {

  /** Suffix of momentum-slot variable names. */
  public static final String MOMENTUM_SUFFIX = ".momentum";

  private final ModelSpec spec;
  private final int height;
  private final int width;
  private final int channels;
  private final int numClasses;
  private final Graph graph;
  /** The custom gradients of the graph's training layers, emptied on {@link #close}. */
  private final GradientRegistry gradients;
  private final Session session;
  private final Parameters params = new Parameters();
  private final Map<String, Variable<TFloat32>> slots = new LinkedHashMap<>();
  private final Map<String, Shape> stateShapes = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> stateFeeds = new LinkedHashMap<>();
  private final List<Op> stateAssigns = new ArrayList<>();

  private final Placeholder<TFloat32> trainImages;
  private final Placeholder<TInt32> trainLabels;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TInt64> dropoutSeed;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TInt32> trainCorrect;
  private final Op trainOp;
  private final long trainMacsPerImage;

  private final Placeholder<TFloat32> evalImages;
  private final Placeholder<TInt32> evalLabels;
  private final Operand<TFloat32> evalLossSum;
  private final Operand<TInt32> evalCorrect;
  private final Operand<TFloat32> evalLogits;

  /** Batch-statistic updates of a dropout-free training pass (precise BN), or empty without dropout. */
  private final List<NetBuilder.BnUpdate> calibration;

  /**
   * Builds the graph and opens a session; variables are uninitialised until {@link
   * #initialize(long)} or {@link #writeState(Map)}.
   *
   * @param threads intra-op threads (inter-op is 1, the fastest setting measured on 2 cores)
   */
  public TrainingGraph(
      ModelSpec spec, int height, int width, int channels, int numClasses, TrainingSpec training,
      int threads) {
    this(spec, height, width, channels, numClasses, training, threads, false);
  }

  /**
   * As above; {@code memoryEfficient} makes the backward pass rebuild BN-ReLU outputs instead of
   * keeping them (same gradients, less memory, more time; see {@link NetBuilder}).
   */
  public TrainingGraph(
      ModelSpec spec, int height, int width, int channels, int numClasses, TrainingSpec training,
      int threads, boolean memoryEfficient) {
    this(spec, height, width, channels, numClasses, training, threads, memoryEfficient,
        GraphOptions.fromSystemProperties());
  }

  /**
   * As above, built under {@code options} (the switches a recorded run trains with; the other
   * constructors read this process's system properties when called).
   */
  public TrainingGraph(
      ModelSpec spec, int height, int width, int channels, int numClasses, TrainingSpec training,
      int threads, boolean memoryEfficient, GraphOptions options) {
    this.spec = spec;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.numClasses = numClasses;
    this.graph = new Graph();
    this.gradients = GradientRegistry.open(graph);
    boolean ok = false;
    try {
      Ops tf = Ops.create(graph);
      Shape imageShape = Shape.of(-1, height, width, channels);
      trainImages = tf.withName("train_images").placeholder(TFloat32.class, Placeholder.shape(imageShape));
      trainLabels = tf.withName("train_labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      dropoutSeed = tf.withName("dropout_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

      TrainPass train = trainPass(tf, training, memoryEfficient, options);
      trainMacsPerImage = train.macsPerImage();
      trainLoss = train.crossEntropy();
      trainCorrect = train.correct();
      trainOp = trainStepOp(tf, train, training);

      evalImages = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(imageShape));
      evalLabels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      NetBuilder infer = new NetBuilder(tf, NetBuilder.Mode.INFER, params, null, false, options);
      evalLogits = tf.withName("logits").identity(
          spec.build(infer, NetBuilder.input(evalImages, height, width, channels), numClasses));
      evalLossSum =
          tf.sum(crossEntropy(tf, evalLogits, evalLabels, numClasses), tf.constant(0));
      evalCorrect = correct(tf, evalLogits, evalLabels);

      calibration = calibrationPass(tf, options);
      addStateAccess(tf);
      session = new Session(graph, sessionConfig(threads, options));
      ok = true;
    } finally {
      if (!ok) {
        gradients.close();
        graph.close();
      }
    }
  }

  /**
   * The training pass's results.
   *
   * @param total loss to differentiate: mean cross-entropy + weight decay
   * @param crossEntropy the logged loss (mean cross-entropy)
   * @param correct correctly classified images of the batch
   * @param bnUpdates the pass's moving-statistic updates
   * @param macsPerImage multiply-adds per image of its convolutions and classifier
   */
  private record TrainPass(
      Operand<TFloat32> total, Operand<TFloat32> crossEntropy, Operand<TInt32> correct,
      List<NetBuilder.BnUpdate> bnUpdates, long macsPerImage) {}

  /** The network in training mode on the training placeholders, with its loss. */
  private TrainPass trainPass(Ops tf, TrainingSpec training, boolean memoryEfficient, GraphOptions options) {
    NetBuilder train = new NetBuilder(tf, NetBuilder.Mode.TRAIN, params, dropoutSeed, memoryEfficient, options);
    Operand<TFloat32> logits = spec.build(train, NetBuilder.input(trainImages, height, width, channels), numClasses);
    long macs = train.macsPerImage();
    Operand<TFloat32> ce = tf.math.mean(crossEntropy(tf, logits, trainLabels, numClasses), tf.constant(0));
    List<Operand<TFloat32>> squares = new ArrayList<>();
    for (Parameters.Param p : params.trainable()) {
      squares.add(tf.nn.l2Loss(p.read()));
    }
    Operand<TFloat32> decay = tf.math.mul(tf.constant((float) training.weightDecay()), tf.math.addN(squares));
    Operand<TFloat32> total = tf.math.add(ce, decay);
    return new TrainPass(total, ce, correct(tf, logits, trainLabels), train.bnUpdates(), macs);
  }

  /**
   * Gradients of the training loss, then (once every gradient and the logged values exist: a
   * barrier) the Nesterov updates with their momentum slots and the moving-statistic assignments.
   */
  private Op trainStepOp(Ops tf, TrainPass train, TrainingSpec training) {
    List<Parameters.Param> trainables = params.trainable();
    Output<?>[] xs = new Output<?>[trainables.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = trainables.get(i).read().asOutput();
    }
    Output<?>[] grads = graph.addGradients(train.total().asOutput(), xs);

    // Barrier: every update waits for every gradient (and for the logged loss/accuracy).
    List<Op> barrier = new ArrayList<>();
    for (Output<?> g : grads) {
      barrier.add(tf.identity(g));
    }
    barrier.add(tf.identity(train.total()));
    barrier.add(tf.identity(train.correct()));
    Ops after = tf.withControlDependencies(barrier);
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> momentum = tf.constant((float) training.momentum());
    for (int i = 0; i < trainables.size(); i++) {
      Parameters.Param p = trainables.get(i);
      Variable<TFloat32> slot = tf.withName(p.name() + MOMENTUM_SUFFIX).variable(p.shape(), TFloat32.class);
      slots.put(p.name() + MOMENTUM_SUFFIX, slot);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> grad = (Operand<TFloat32>) grads[i];
      updates.add(
          after.train.applyMomentum(
              p.variable(), slot, learningRate, grad, momentum, ApplyMomentum.useNesterov(true)));
    }
    for (NetBuilder.BnUpdate u : train.bnUpdates()) {
      updates.add(after.assign(u.target().variable(), u.value()));
    }
    return tf.withControlDependencies(updates).withName("train_step").noOp();
  }

  /**
   * Precise BN for networks with dropout: the same network in training mode with dropout off,
   * over the same variables, on the evaluation placeholder; only its batch-statistic updates are
   * ever fetched. Empty without dropout.
   */
  private List<NetBuilder.BnUpdate> calibrationPass(Ops tf, GraphOptions options) {
    if (spec.dropRate() <= 0) {
      return List.of();
    }
    NetBuilder cal = new NetBuilder(tf, NetBuilder.Mode.TRAIN, params, dropoutSeed, false, options);
    spec.withDropRate(0).build(cal, NetBuilder.input(evalImages, height, width, channels), numClasses);
    return List.copyOf(cal.bnUpdates());
  }

  /** A feed and an assignment for every variable: parameters, then momentum slots. */
  private void addStateAccess(Ops tf) {
    for (Parameters.Param p : params.all()) {
      addStateAccess(tf, p.name(), p.variable(), p.shape());
    }
    for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
      addStateAccess(tf, e.getKey(), e.getValue(), params.byName(baseName(e.getKey())).shape());
    }
  }

  /**
   * {@code threads} intra-op threads, one inter-op thread, and TensorFlow's dependency optimiser
   * off unless {@link GraphOptions#dependencyOptimizer}.
   *
   * <p>TensorFlow's dependency optimiser bypasses the IdentityN that makes each convolution's
   * input gradient wait for its filter gradient (GemmTrainConv2d); without that wait the single
   * inter-op thread's LIFO queue ran every filter gradient at the end of the backward pass,
   * keeping all layers' activations and tap gradients alive (DenseNet-22, 16x16, batch 32:
   * allocator peak 67.7 MB instead of 58.3). The optimiser only rewrites graph structure, never
   * arithmetic; -Ddensenet.grappler.dependency=true restores it for A/B (recorded all the same:
   * GraphOptions).
   */
  private static ConfigProto sessionConfig(int threads, GraphOptions options) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(1)
        .setGraphOptions(
            org.tensorflow.proto.GraphOptions.newBuilder()
                .setRewriteOptions(
                    RewriterConfig.newBuilder()
                        .setDependencyOptimization(
                            options.dependencyOptimizer() ? RewriterConfig.Toggle.DEFAULT : RewriterConfig.Toggle.OFF)))
        .build();
  }

  private static String baseName(String slotName) {
    return slotName.substring(0, slotName.length() - MOMENTUM_SUFFIX.length());
  }

  /**
   * Per-image cross-entropy. Labels go through one-hot because the C++ gradient registry that
   * TensorFlow Java uses has no gradient for the sparse variant.
   */
  private static Operand<TFloat32> crossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int numClasses) {
    Operand<TFloat32> oneHot =
        tf.oneHot(labels, tf.constant(numClasses), tf.constant(1f), tf.constant(0f));
    return tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
  }

  private static Operand<TInt32> correct(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    Operand<TInt64> predicted = tf.math.argMax(logits, tf.constant(1));
    return tf.sum(
        tf.dtypes.cast(tf.math.equal(predicted, tf.dtypes.cast(labels, TInt64.class)), TInt32.class),
        tf.constant(0));
  }

  private void addStateAccess(Ops tf, String name, Variable<TFloat32> v, Shape shape) {
    Placeholder<TFloat32> feed =
        tf.withName(name + ".feed").placeholder(TFloat32.class, Placeholder.shape(shape));
    stateShapes.put(name, shape);
    stateFeeds.put(name, feed);
    stateAssigns.add(tf.assign(v, feed));
  }

  /** The architecture. */
  public ModelSpec spec() {
    return spec;
  }

  /** The network's parameters (not including momentum slots). */
  public Parameters parameters() {
    return params;
  }

  /** Input height. */
  public int height() {
    return height;
  }

  /** Input width. */
  public int width() {
    return width;
  }

  /** Input channels. */
  public int channels() {
    return channels;
  }

  /** Number of classes. */
  public int numClasses() {
    return numClasses;
  }

  /** The underlying graph (for tests and export). */
  public Graph graph() {
    return graph;
  }

  /** The underlying session (for tests). */
  public Session session() {
    return session;
  }

  /** Names and shapes of every variable in the state, in a fixed order. */
  public Map<String, Shape> stateShapes() {
    return java.util.Collections.unmodifiableMap(stateShapes);
  }

  /**
   * Sets every variable from {@code seed}: He-normal convolutions (fan-out, as the authors' code),
   * Torch-default uniform classifier weights, zero biases, BN gamma 1 / beta 0 / moving mean 0 /
   * moving variance 1, zero momentum.
   */
  public void initialize(long seed) {
    Map<String, float[]> values = initialParameters(seed);
    for (Map.Entry<String, Variable<TFloat32>> e : slots.entrySet()) {
      values.put(e.getKey(), new float[(int) stateShapes.get(e.getKey()).size()]);
    }
    writeState(values);
  }

  /**
   * The values {@link #initialize} gives every parameter for {@code seed} (optimiser slots
   * excluded), computed without touching the graph's variables.
   */
  public Map<String, float[]> initialParameters(long seed) {
    SplittableRandom root = new SplittableRandom(Seeds.derive(seed, Seeds.INIT));
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Parameters.Param p : params.all()) {
      values.put(p.name(), initialValue(p.kind(), p.shape(), root.split()));
    }
    return values;
  }

  private static float[] initialValue(ParamKind kind, Shape shape, SplittableRandom rnd) {
    float[] v = new float[(int) shape.size()];
    switch (kind) {
      case CONV_WEIGHT -> {
        long fanOut = shape.get(0) * shape.get(1) * shape.get(3);
        double std = Math.sqrt(2.0 / fanOut);
        java.util.Random g = new java.util.Random(rnd.nextLong());
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (g.nextGaussian() * std);
        }
      }
      case FC_WEIGHT -> {
        double bound = 1.0 / Math.sqrt(shape.get(0));
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
      }
      case BN_GAMMA, BN_MOVING_VARIANCE -> java.util.Arrays.fill(v, 1f);
      case FC_BIAS, BN_BETA, BN_MOVING_MEAN -> {
        // zeros
      }
    }
    return v;
  }

  /** Reads every variable (weights, BN statistics, momentum slots) as float arrays. */
  public Map<String, float[]> readState() {
    Session.Runner r = session.runner();
    List<String> names = new ArrayList<>(stateShapes.keySet());
    for (String n : names) {
      r.fetch(variable(n));
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] a = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(a);
        out.put(names.get(i), a);
      }
    }
    return out;
  }

  /**
   * Writes every variable. {@code values} must hold exactly the names of {@link #stateShapes()},
   * each with the right number of elements.
   */
  public void writeState(Map<String, float[]> values) {
    if (!values.keySet().equals(stateShapes.keySet())) {
      List<String> missing = new ArrayList<>(stateShapes.keySet());
      missing.removeAll(values.keySet());
      List<String> extra = new ArrayList<>(values.keySet());
      extra.removeAll(stateShapes.keySet());
      throw new IllegalArgumentException(
          "state does not match the network " + spec.name() + ": missing " + missing + ", unexpected " + extra);
    }
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (Map.Entry<String, Shape> e : stateShapes.entrySet()) {
        float[] v = values.get(e.getKey());
        if (v.length != e.getValue().size()) {
          throw new IllegalArgumentException(
              "state tensor " + e.getKey() + " must have " + e.getValue().size() + " elements for shape "
                  + e.getValue() + ", got " + v.length);
        }
        TFloat32 t = TFloat32.tensorOf(e.getValue(), DataBuffers.of(v, true, false));
        tensors.add(t);
        r.feed(stateFeeds.get(e.getKey()), t);
      }
      for (Op a : stateAssigns) {
        r.addTarget(a);
      }
      r.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  private Variable<TFloat32> variable(String name) {
    Variable<TFloat32> slot = slots.get(name);
    return slot != null ? slot : params.byName(name).variable();
  }

  /**
   * Loss and number of correct predictions of one training step.
   *
   * @param loss mean cross-entropy of the batch (without the weight-decay term)
   * @param correct correctly classified images in the batch
   */
  public record StepResult(float loss, int correct) {}

  /** Runs one training step on a batch. */
  public StepResult trainStep(TFloat32 images, TInt32 labels, float lr, long[] stepSeed) {
    try (TFloat32 lrT = TFloat32.scalarOf(lr);
        TInt64 seedT = TInt64.vectorOf(stepSeed);
        Result res = trainRunner(images, labels, lrT, seedT).run()) {
      return new StepResult(((TFloat32) res.get(0)).getFloat(), ((TInt32) res.get(1)).getInt());
    }
  }

  /**
   * Runs one training step with TensorFlow's full trace and returns the step statistics (every
   * executed kernel with its start and duration), for profiles.
   */
  public RunMetadata tracedTrainStep(TFloat32 images, TInt32 labels, float lr, long[] stepSeed) {
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    try (TFloat32 lrT = TFloat32.scalarOf(lr);
        TInt64 seedT = TInt64.vectorOf(stepSeed);
        Result res = trainRunner(images, labels, lrT, seedT).setOptions(trace).runAndFetchMetadata()) {
      return res.getMetadata().orElseThrow(() -> new IllegalStateException("no run metadata returned"));
    }
  }

  private Session.Runner trainRunner(TFloat32 images, TInt32 labels, TFloat32 lr, TInt64 seed) {
    return session
        .runner()
        .feed(trainImages, images)
        .feed(trainLabels, labels)
        .feed(learningRate, lr)
        .feed(dropoutSeed, seed)
        .addTarget(trainOp)
        .fetch(trainLoss)
        .fetch(trainCorrect);
  }

  /**
   * Multiply-adds per image of the training pass's convolutions and classifier; a training step
   * computes about three times this (forward, input and weight gradients), times two for FLOPs.
   */
  public long trainMacsPerImage() {
    return trainMacsPerImage;
  }

  /**
   * Summed loss and number of correct predictions of an evaluation batch.
   *
   * @param lossSum sum of per-image cross-entropy
   * @param correct correctly classified images
   */
  public record EvalResult(double lossSum, int correct) {}

  /** Evaluates one batch with the inference pass. */
  public EvalResult evalBatch(TFloat32 images, TInt32 labels) {
    try (Result res =
        session.runner().feed(evalImages, images).feed(evalLabels, labels).fetch(evalLossSum).fetch(evalCorrect).run()) {
      return new EvalResult(((TFloat32) res.get(0)).getFloat(), ((TInt32) res.get(1)).getInt());
    }
  }

  /** Logits of the inference pass for a batch (shape [n, classes]). */
  public float[] evalLogits(TFloat32 images) {
    try (Result res = session.runner().feed(evalImages, images).fetch(evalLogits).run()) {
      TFloat32 t = (TFloat32) res.get(0);
      float[] a = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(a);
      return a;
    }
  }

  /** Whether the network has dropout, so that its BN statistics can be recalibrated without it. */
  public boolean canRecalibrate() {
    return !calibration.isEmpty();
  }

  /** The BN moving-statistic variables the calibration pass updates, in {@link #calibrationStep} order. */
  public List<String> calibrationTargets() {
    return calibration.stream().map(u -> u.target().name()).toList();
  }

  /**
   * One batch through the dropout-free training pass: for every {@link #calibrationTargets()}
   * variable, the value its moving-average update would assign, {@code (1 - momentum) * current +
   * momentum * batch statistic} ({@link NetBuilder#BN_MOMENTUM}). Changes no variable.
   */
  public float[][] calibrationStep(TFloat32 images) {
    if (calibration.isEmpty()) {
      throw new IllegalStateException("network " + spec.name() + " has no dropout: nothing to recalibrate");
    }
    Session.Runner r = session.runner().feed(evalImages, images);
    for (NetBuilder.BnUpdate u : calibration) {
      r.fetch(u.value());
    }
    float[][] out = new float[calibration.size()][];
    try (Result res = r.run()) {
      for (int i = 0; i < out.length; i++) {
        TFloat32 t = (TFloat32) res.get(i);
        out[i] = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(out[i]);
      }
    }
    return out;
  }

  /** The registry of the graph's custom gradients (for tests); empty once closed. */
  public GradientRegistry gradients() {
    return gradients;
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      gradients.close();
      graph.close();
    }
  }
}
