package dev.meshboot.cli;

import dev.meshboot.log.Log;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * SIGTERM, SIGINT, SIGHUP (a closed terminal or session: systemd, EC2 scripts) and SIGQUIT start
 * meshboot's own shutdown sequence instead of the JVM's exit. {@code sun.misc.Signal} (module
 * jdk.unsupported) is the JDK's only way to handle signals; it is reached through method handles
 * because javac's warning for it cannot be suppressed, and warnings fail the build. The handlers
 * are made by the lambda metafactory, as a lambda would be: a {@link java.lang.reflect.Proxy} costs
 * ~30 ms of class generation at every start (issue #15).
 */
final class Signals {

  private static final Log log = Log.of(Signals.class);

  private Signals() {}

  /** Calls {@code action} on every SIGTERM, SIGINT, SIGHUP and SIGQUIT. */
  static void onShutdown(Runnable action) {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    MethodHandle newHandler;
    MethodHandle newSignal;
    MethodHandle handle;
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      MethodType handled = MethodType.methodType(void.class, signalType);
      newHandler =
          LambdaMetafactory.metafactory(
                  lookup,
                  "handle",
                  MethodType.methodType(handlerType, String.class, Runnable.class),
                  handled,
                  lookup.findStatic(
                      Signals.class,
                      "received",
                      MethodType.methodType(
                          void.class, String.class, Runnable.class, Object.class)),
                  handled)
              .getTarget();
      newSignal =
          lookup.findConstructor(signalType, MethodType.methodType(void.class, String.class));
      handle =
          lookup.findStatic(
              signalType, "handle", MethodType.methodType(handlerType, signalType, handlerType));
    } catch (ReflectiveOperationException | java.lang.invoke.LambdaConversionException e) {
      log.warn("this JVM cannot handle signals; SIGTERM stops meshboot without draining Envoy");
      return;
    }
    for (String name : new String[] {"TERM", "INT", "HUP", "QUIT"}) {
      try {
        Object unused = handle.invoke(newSignal.invoke(name), newHandler.invoke(name, action));
      } catch (Throwable e) {
        // the JVM keeps this signal (SIGQUIT prints thread dumps unless -Xrs)
        log.debug("cannot handle signal", "signal", "SIG" + name, "error", e.toString());
      }
    }
  }

  /** A handled signal: the shutdown sequence starts (or, the second time, ends at once). */
  @SuppressWarnings("unused") // the handlers' target, through the lambda metafactory
  private static void received(String name, Runnable action, Object signal) {
    log.info("signal received; shutting down", "signal", "SIG" + name);
    action.run();
  }
}
