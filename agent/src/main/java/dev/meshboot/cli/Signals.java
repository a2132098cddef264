package dev.meshboot.cli;

import dev.meshboot.log.Log;
import java.lang.reflect.Proxy;

/**
 * SIGTERM, SIGINT, SIGHUP (a closed terminal or session: systemd, EC2 scripts) and SIGQUIT start
 * meshboot's own shutdown sequence instead of the JVM's exit. {@code sun.misc.Signal} (module
 * jdk.unsupported) is the JDK's only way to handle signals; it is reached reflectively because
 * javac's warning for it cannot be suppressed, and warnings fail the build.
 */
final class Signals {

  private static final Log log = Log.of(Signals.class);

  private Signals() {}

  /** Calls {@code action} on every SIGTERM, SIGINT, SIGHUP and SIGQUIT. */
  static void onShutdown(Runnable action) {
    Class<?> signalType;
    Class<?> handlerType;
    try {
      signalType = Class.forName("sun.misc.Signal");
      handlerType = Class.forName("sun.misc.SignalHandler");
    } catch (ClassNotFoundException e) {
      log.warn("this JVM cannot handle signals; SIGTERM stops meshboot without draining Envoy");
      return;
    }
    for (String name : new String[] {"TERM", "INT", "HUP", "QUIT"}) {
      try {
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        Object handler =
            Proxy.newProxyInstance(
                Signals.class.getClassLoader(),
                new Class<?>[] {handlerType},
                (proxy, method, arguments) -> {
                  if (method.getName().equals("handle")) {
                    log.info("signal received; shutting down", "signal", "SIG" + name);
                    action.run();
                    return null;
                  }
                  return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == arguments[0];
                    default -> "signal handler for SIG" + name;
                  };
                });
        signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
      } catch (ReflectiveOperationException | IllegalArgumentException e) {
        // the JVM keeps this signal (SIGQUIT prints thread dumps unless -Xrs)
        log.debug("cannot handle signal", "signal", "SIG" + name, "error", e.toString());
      }
    }
  }
}
