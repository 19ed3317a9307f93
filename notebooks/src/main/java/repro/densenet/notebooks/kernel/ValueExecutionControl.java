package repro.densenet.notebooks.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell execution in the kernel's own JVM that keeps the value of the last snippet as an object.
 *
 * <p>Why not {@code LocalExecutionControl}: it hands JShell only the value's {@code toString()},
 * and the kernel needs the object itself to render a chart or a table. Like it, every snippet
 * runs on a fresh thread (so {@link #stop()} can interrupt it without touching the kernel's
 * message threads), with the snippet class loader as context loader (so {@code ServiceLoader}
 * finds jars added with {@code %classpath}).
 */
final class ValueExecutionControl extends DirectExecutionControl {

  /** Grace period between interrupting a running cell and forcing it to stop. */
  private static final long STOP_GRACE_MILLIS = 2_000;

  private final Object lock = new Object();
  private Thread running;
  private Object lastValue;

  /** The last invoked snippet's value (null if none), and forgets it. */
  Object takeValue() {
    synchronized (lock) {
      Object v = lastValue;
      lastValue = null;
      return v;
    }
  }

  @Override
  protected String invoke(Method doitMethod) throws Exception {
    AtomicReference<Object> value = new AtomicReference<>();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                value.set(doitMethod.invoke(null));
              } catch (InvocationTargetException e) {
                thrown.set(e);
              } catch (Throwable e) {
                thrown.set(e);
              }
            },
            "notebook-cell");
    t.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());
    synchronized (lock) {
      running = t;
    }
    try {
      t.start();
      t.join();
    } finally {
      synchronized (lock) {
        running = null;
      }
    }
    Throwable e = thrown.get();
    if (e instanceof Exception ex) {
      // InvocationTargetException is unwrapped into JShell's EvalException by the caller
      throw ex;
    }
    if (e instanceof Error err) {
      // ThreadDeath from stop() or an Error the cell raised: report it like an exception
      throw new InvocationTargetException(err);
    }
    synchronized (lock) {
      lastValue = value.get();
    }
    // JShell's own value string is not used (the kernel renders the object); calling toString()
    // here would run it twice and turn an exception in it into a JShell internal error
    return value.get() == null ? "null" : value.get().getClass().getName();
  }

  /**
   * Interrupts the running cell; if it is still running after a grace period (code that ignores
   * interrupts, such as a TensorFlow session run), stops its thread.
   */
  @Override
  @SuppressWarnings("deprecation") // Thread.stop: the only way to end code that ignores interrupts
  public void stop() {
    Thread t;
    synchronized (lock) {
      t = running;
    }
    if (t == null) {
      return;
    }
    t.interrupt();
    try {
      t.join(STOP_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (t.isAlive()) {
      t.stop();
    }
  }

  /** Provider that hands out one control and remembers it, so the evaluator can read values. */
  static final class Provider implements ExecutionControlProvider {
    private final AtomicReference<ValueExecutionControl> created = new AtomicReference<>();

    @Override
    public String name() {
      return "repro-densenet-direct";
    }

    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      ValueExecutionControl c = new ValueExecutionControl();
      if (!created.compareAndSet(null, c)) {
        throw new IllegalStateException("one JShell per execution control provider");
      }
      return c;
    }

    ValueExecutionControl control() {
      ValueExecutionControl c = created.get();
      if (c == null) {
        throw new IllegalStateException("JShell has not started its execution control");
      }
      return c;
    }
  }
}
