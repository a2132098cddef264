package dev.meshboot.envoy;

import dev.meshboot.log.Log;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The few Linux system calls the JDK does not expose, through the foreign function API: become a
 * child subreaper, reap exited children that are not the JVM's own (orphans reparented to
 * meshboot), and wait for and signal a child the JVM did not start (the Envoy the launcher started,
 * {@link AdoptedProcess}). Linux x86-64 and aarch64 with glibc only; elsewhere {@link #load()} is
 * empty. Linking a downcall costs milliseconds: {@code meshboot run} loads this beside Envoy's
 * start, not before.
 */
public final class Posix {

  private static final Log log = Log.of(Posix.class);

  private static final int PR_SET_CHILD_SUBREAPER = 36;
  private static final int P_ALL = 0;
  private static final int P_PID = 1;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;

  /** {@code sizeof(siginfo_t)}, and the offset of {@code si_pid} in it, on Linux. */
  private static final long SIGINFO_SIZE = 128;

  private static final long SI_PID = 16;

  /** The offsets of {@code si_code} and {@code si_status} in {@code siginfo_t}, on Linux. */
  private static final long SI_CODE = 8;

  private static final long SI_STATUS = 24;

  /** {@code si_code} of a child that exited (else it was killed or dumped core). */
  private static final int CLD_EXITED = 1;

  private static final int EINTR = 4;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final AddressLayout ADDRESS = ValueLayout.ADDRESS;
  private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final long ERRNO =
      CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

  private final Linker linker = Linker.nativeLinker();
  private final SymbolLookup libc = linker.defaultLookup();
  private final MethodHandle prctl;
  private final MethodHandle waitid;
  private final MethodHandle waitpid;
  private final MethodHandle kill;

  private Posix() {
    prctl = handle("prctl", FunctionDescriptor.of(INT, INT, ValueLayout.JAVA_LONG), variadic(1));
    waitid = handle("waitid", FunctionDescriptor.of(INT, INT, INT, ADDRESS, INT), errno());
    waitpid = handle("waitpid", FunctionDescriptor.of(INT, INT, ADDRESS, INT), errno());
    kill = handle("kill", FunctionDescriptor.of(INT, INT, INT), errno());
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

  /**
   * Blocks until the child {@code pid} exits, without reaping it ({@code waitid(P_PID, pid,
   * WEXITED|WNOWAIT)}: until {@link #reap} its pid cannot be another process's): its exit code as
   * {@link Process#exitValue()} gives it (128 plus the signal that killed it).
   *
   * @throws IllegalStateException when it is not a child of this process (or cannot be waited for)
   */
  public int awaitExit(int pid) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(SIGINFO_SIZE);
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        int result = (int) waitid.invokeExact(state, P_PID, pid, info, WEXITED | WNOWAIT);
        if (result == 0) {
          int status = info.get(ValueLayout.JAVA_INT, SI_STATUS);
          return info.get(ValueLayout.JAVA_INT, SI_CODE) == CLD_EXITED ? status : 128 + status;
        }
        int errno = state.get(ValueLayout.JAVA_INT, ERRNO);
        if (errno != EINTR) {
          throw new IllegalStateException("waitid(" + pid + ") failed: errno " + errno);
        }
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("waitid(" + pid + ") failed", e);
    }
  }

  /** {@code kill(pid, signal)}: whether the signal was sent. */
  public boolean kill(int pid, int signal) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      return (int) kill.invokeExact(state, pid, signal) == 0;
    } catch (Throwable e) {
      return false;
    }
  }
}
