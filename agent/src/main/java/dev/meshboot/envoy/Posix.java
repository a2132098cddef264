package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The few Linux system calls the JDK does not expose, through the foreign function API: become a
 * child subreaper, reap exited children that are not the JVM's own (orphans reparented to
 * meshboot), and start a child in a session of its own ({@code posix_spawn} with {@code
 * POSIX_SPAWN_SETSID}), wait for it and signal it. Linux x86-64 and aarch64 with glibc only;
 * elsewhere {@link #load()} is empty.
 */
public final class Posix {

  private static final Log log = Log.of(Posix.class);

  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int P_ALL = 0;
  private static final int P_PID = 1;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int EINTR = 4;
  private static final int O_CLOEXEC = 0x80000;
  private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
  private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
  private static final short POSIX_SPAWN_SETSID = 0x80;

  /** {@code sizeof(siginfo_t)}, and the offset of {@code si_pid} in it, on Linux. */
  private static final long SIGINFO_SIZE = 128;

  private static final long SI_PID = 16;

  /**
   * Room for glibc's {@code posix_spawnattr_t} (336 bytes), {@code posix_spawn_file_actions_t} (80)
   * and {@code sigset_t} (128), with a margin.
   */
  private static final long STRUCT_SIZE = 1024;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final AddressLayout ADDRESS = ValueLayout.ADDRESS;
  private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

  private final Linker linker = Linker.nativeLinker();
  private final SymbolLookup libc = linker.defaultLookup();
  private final MethodHandle prctl;
  private final MethodHandle waitid;
  private final MethodHandle waitpid;
  private final MethodHandle kill;
  private final MethodHandle pipe2;
  private final MethodHandle close;
  private final MethodHandle strerror;
  private final MethodHandle spawnp;
  private final MethodHandle attrInit;
  private final MethodHandle attrSetFlags;
  private final MethodHandle attrSetSigMask;
  private final MethodHandle attrSetSigDefault;
  private final MethodHandle attrDestroy;
  private final MethodHandle actionsInit;
  private final MethodHandle actionsDup2;
  private final MethodHandle actionsDestroy;
  private final MethodHandle sigEmptySet;
  private final MethodHandle sigFillSet;

  /** glibc 2.34 and later; without it {@link #spawn} would leak the JVM's descriptors. */
  private final @Nullable MethodHandle actionsCloseFrom;

  @SuppressWarnings("restricted") // native access is enabled for meshboot's jar (its manifest)
  private Posix() {
    prctl = handle("prctl", FunctionDescriptor.of(INT, INT, ValueLayout.JAVA_LONG), variadic(1));
    FunctionDescriptor intIntAddressInt = FunctionDescriptor.of(INT, INT, ADDRESS, INT);
    waitid = handle("waitid", FunctionDescriptor.of(INT, INT, INT, ADDRESS, INT), errno());
    waitpid = handle("waitpid", intIntAddressInt, errno());
    kill = handle("kill", FunctionDescriptor.of(INT, INT, INT), errno());
    pipe2 = handle("pipe2", FunctionDescriptor.of(INT, ADDRESS, INT), errno());
    close = handle("close", FunctionDescriptor.of(INT, INT), errno());
    strerror = handle("strerror", FunctionDescriptor.of(ADDRESS, INT));
    spawnp =
        handle(
            "posix_spawnp",
            FunctionDescriptor.of(INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    FunctionDescriptor onStruct = FunctionDescriptor.of(INT, ADDRESS);
    FunctionDescriptor onStructAndAddress = FunctionDescriptor.of(INT, ADDRESS, ADDRESS);
    attrInit = handle("posix_spawnattr_init", onStruct);
    attrSetFlags =
        handle(
            "posix_spawnattr_setflags",
            FunctionDescriptor.of(INT, ADDRESS, ValueLayout.JAVA_SHORT));
    attrSetSigMask = handle("posix_spawnattr_setsigmask", onStructAndAddress);
    attrSetSigDefault = handle("posix_spawnattr_setsigdefault", onStructAndAddress);
    attrDestroy = handle("posix_spawnattr_destroy", onStruct);
    actionsInit = handle("posix_spawn_file_actions_init", onStruct);
    actionsDup2 =
        handle("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(INT, ADDRESS, INT, INT));
    actionsDestroy = handle("posix_spawn_file_actions_destroy", onStruct);
    sigEmptySet = handle("sigemptyset", onStruct);
    sigFillSet = handle("sigfillset", onStruct);
    actionsCloseFrom =
        libc.find("posix_spawn_file_actions_addclosefrom_np")
            .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(INT, ADDRESS, INT)))
            .orElse(null);
  }

  /** The system calls, or empty when this platform lacks them. */
  public static Optional<Posix> load() {
    String os = System.getProperty("os.name", "");
    if (!os.equals("Linux")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Posix());
    } catch (RuntimeException e) {
      log.warn("no native access; meshboot cannot reap orphans", "error", e.toString());
      return Optional.empty();
    }
  }

  @SuppressWarnings("restricted") // native access is enabled for meshboot's jar (its manifest)
  private MethodHandle handle(String name, FunctionDescriptor function, Linker.Option... options) {
    return linker.downcallHandle(
        libc.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in libc")),
        function,
        options);
  }

  private static Linker.Option variadic(int index) {
    return Linker.Option.firstVariadicArg(index);
  }

  private static Linker.Option errno() {
    return Linker.Option.captureCallState("errno");
  }

  /** {@code prctl(PR_SET_CHILD_SUBREAPER, 1)}: orphans of Envoy's descendants come to meshboot. */
  public boolean becomeSubreaper() {
    try {
      return (int) prctl.invokeExact(PR_SET_CHILD_SUBREAPER, 1L) == 0;
    } catch (Throwable e) {
      log.warn("prctl(PR_SET_CHILD_SUBREAPER) failed", "error", e.toString());
      return false;
    }
  }

  /**
   * The pid of an exited child that has not been waited for, without reaping it ({@code
   * waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT)}); empty when there is none.
   */
  public OptionalInt exitedChild() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(SIGINFO_SIZE);
      MemorySegment state = arena.allocate(CALL_STATE);
      int result = (int) waitid.invokeExact(state, P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
      int pid = info.get(ValueLayout.JAVA_INT, SI_PID);
      return result == 0 && pid > 0 ? OptionalInt.of(pid) : OptionalInt.empty();
    } catch (Throwable e) {
      return OptionalInt.empty();
    }
  }

  /** {@code waitpid(pid, &status, WNOHANG)}: reaps that child. */
  public boolean reap(int pid) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
      MemorySegment state = arena.allocate(CALL_STATE);
      return (int) waitpid.invokeExact(state, pid, status, WNOHANG) == pid;
    } catch (Throwable e) {
      return false;
    }
  }

  /** A child started by {@link #spawn}, with the read ends of its stdout and stderr pipes. */
  public record Child(int pid, int stdout, int stderr) {}

  /** Whether {@link #spawn} can close the JVM's descriptors in the child (glibc 2.34 or later). */
  public boolean canSpawn() {
    return actionsCloseFrom != null;
  }

  /**
   * Starts {@code argv} ({@code argv[0]} looked up on PATH) in a new session and process group,
   * with no blocked signals and every signal at its default action, stdin inherited, stdout and
   * stderr to new pipes, and no other descriptor of the JVM's open in it.
   */
  public Child spawn(List<String> argv, Map<String, String> environment) throws IOException {
    MethodHandle closeFrom = actionsCloseFrom;
    if (closeFrom == null) {
      throw new IOException("posix_spawn_file_actions_addclosefrom_np: needs glibc 2.34 or later");
    }
    int[] out = pipe();
    int[] err;
    try {
      err = pipe();
    } catch (IOException e) {
      closeQuietly(out);
      throw e;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attr = arena.allocate(STRUCT_SIZE, 16);
      MemorySegment actions = arena.allocate(STRUCT_SIZE, 16);
      MemorySegment signals = arena.allocate(STRUCT_SIZE, 16);
      MemorySegment pid = arena.allocate(INT);
      check("posix_spawnattr_init", (int) attrInit.invokeExact(attr));
      try {
        check("posix_spawn_file_actions_init", (int) actionsInit.invokeExact(actions));
        try {
          short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
          check("posix_spawnattr_setflags", (int) attrSetFlags.invokeExact(attr, flags));
          check("sigemptyset", (int) sigEmptySet.invokeExact(signals));
          check("posix_spawnattr_setsigmask", (int) attrSetSigMask.invokeExact(attr, signals));
          check("sigfillset", (int) sigFillSet.invokeExact(signals));
          check(
              "posix_spawnattr_setsigdefault", (int) attrSetSigDefault.invokeExact(attr, signals));
          check(
              "posix_spawn_file_actions_adddup2",
              (int) actionsDup2.invokeExact(actions, out[1], 1));
          check(
              "posix_spawn_file_actions_adddup2",
              (int) actionsDup2.invokeExact(actions, err[1], 2));
          check(
              "posix_spawn_file_actions_addclosefrom_np", (int) closeFrom.invokeExact(actions, 3));
          int result =
              (int)
                  spawnp.invokeExact(
                      pid,
                      arena.allocateFrom(argv.get(0)),
                      actions,
                      attr,
                      strings(arena, argv),
                      strings(
                          arena,
                          environment.entrySet().stream()
                              .map(e -> e.getKey() + "=" + e.getValue())
                              .toList()));
          if (result != 0) {
            throw new IOException(
                "posix_spawnp(" + String.join(" ", argv) + "): " + describe(result));
          }
        } finally {
          int unused = (int) actionsDestroy.invokeExact(actions);
        }
      } finally {
        int unused = (int) attrDestroy.invokeExact(attr);
      }
      closeQuietly(new int[] {out[1], err[1]});
      return new Child(pid.get(INT, 0), out[0], err[0]);
    } catch (IOException e) {
      closeQuietly(out);
      closeQuietly(err);
      throw e;
    } catch (Throwable e) {
      closeQuietly(out);
      closeQuietly(err);
      throw new IOException("posix_spawnp: " + e, e);
    }
  }

  /**
   * Blocks until the child {@code pid} has exited, without reaping it ({@code waitid(P_PID, pid,
   * WEXITED|WNOWAIT)}): the pid stays taken, so signalling it meanwhile cannot hit another process.
   */
  public void awaitExit(int pid) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(SIGINFO_SIZE);
      MemorySegment state = arena.allocate(CALL_STATE);
      while ((int) waitid.invokeExact(state, P_PID, pid, info, WEXITED | WNOWAIT) != 0) {
        int errno = errno(state);
        if (errno != EINTR) {
          throw new IOException("waitid(" + pid + "): " + describe(errno));
        }
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("waitid(" + pid + "): " + e, e);
    }
  }

  /**
   * Reaps the child {@code pid} ({@code waitpid(pid, &status, 0)}), blocking until it exits;
   * returns its exit code, or 128 + the signal that killed it, as {@link Process#exitValue()} does.
   */
  public int waitFor(int pid) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment status = arena.allocate(INT);
      MemorySegment state = arena.allocate(CALL_STATE);
      while ((int) waitpid.invokeExact(state, pid, status, 0) != pid) {
        int errno = errno(state);
        if (errno != EINTR) {
          throw new IOException("waitpid(" + pid + "): " + describe(errno));
        }
      }
      int raw = status.get(INT, 0);
      int signal = raw & 0x7f;
      return signal == 0 ? (raw >> 8) & 0xff : 128 + signal;
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("waitpid(" + pid + "): " + e, e);
    }
  }

  /** {@code kill(pid, signal)}. */
  public void kill(int pid, int signal) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) kill.invokeExact(state, pid, signal) != 0) {
        throw new IOException("kill(" + pid + ", " + signal + "): " + describe(errno(state)));
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("kill(" + pid + ", " + signal + "): " + e, e);
    }
  }

  /** {@code close(fd)}; errors are ignored, as there is nothing left to do about them. */
  public void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int unused = (int) close.invokeExact(arena.allocate(CALL_STATE), fd);
    } catch (Throwable e) {
      log.debug("close failed", "fd", fd, "error", e.toString());
    }
  }

  private int[] pipe() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(INT, 2);
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) pipe2.invokeExact(state, fds, O_CLOEXEC) != 0) {
        throw new IOException("pipe2: " + describe(errno(state)));
      }
      return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("pipe2: " + e, e);
    }
  }

  private void closeQuietly(int[] fds) {
    for (int fd : fds) {
      close(fd);
    }
  }

  private void check(String call, int result) throws IOException {
    if (result != 0) {
      throw new IOException(call + ": " + describe(result));
    }
  }

  private static MemorySegment strings(Arena arena, List<String> values) {
    MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
    for (int i = 0; i < values.size(); i++) {
      array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
    }
    array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
    return array;
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  /** "errno 2 (No such file or directory)". */
  @SuppressWarnings("restricted") // strerror's result is a C string; 256 bytes bound its length
  private String describe(int errno) {
    try {
      MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
      return "errno " + errno + " (" + text.reinterpret(256).getString(0) + ")";
    } catch (Throwable e) {
      return "errno " + errno;
    }
  }
}
