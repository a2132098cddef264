package dev.meshboot.aws;

import static dev.meshboot.config.Variables.AWS_EC2_METADATA_DISABLED;
import static dev.meshboot.config.Variables.AWS_EC2_METADATA_SERVICE_ENDPOINT;
import static dev.meshboot.config.Variables.ECS_CONTAINER_METADATA_URI_V4;

import dev.meshboot.config.ConfigReader;
import dev.meshboot.config.Environment;
import dev.meshboot.config.PlatformFacts.EcsTask;
import dev.meshboot.config.PlatformFacts.Placement;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;

/**
 * The ECS task metadata and EC2 instance metadata lookups of one command. Each source is asked at
 * most once, on a daemon thread of its own, and every wait for it ends at its deadline (one attempt
 * timeout, twice): sources asked together cost one timeout between them, not one each. Nothing here
 * loads an SDK class until a source is actually asked.
 */
public final class MetadataLookups {

  /** One connect or read; metadata endpoints answer within milliseconds when they answer. */
  static final Duration ATTEMPT_TIMEOUT = AwsHttp.METADATA_TIMEOUT;

  /** How long a source may take in all, retries included. */
  static final Duration DEADLINE = ATTEMPT_TIMEOUT.multipliedBy(2);

  /** Task metadata: attempts for a connection failure or a 5xx answer. */
  private static final int TASK_ATTEMPTS = 3;

  private static final Duration TASK_RETRY_PAUSE = Duration.ofMillis(100);

  /**
   * What one source gave.
   *
   * @param source the source and where it was asked, for messages
   * @param value its answer, when it gave a usable one
   * @param asked whether it was asked at all
   * @param problem why there is no value (empty when there is)
   */
  public record Answer<T>(String source, Optional<T> value, boolean asked, String problem) {}

  private final Lookup<EcsTask> task;
  private final Lookup<Placement> placement;

  private MetadataLookups(Lookup<EcsTask> task, Lookup<Placement> placement) {
    this.task = task;
    this.placement = placement;
  }

  /**
   * Starts the task metadata lookup when {@code ECS_CONTAINER_METADATA_URI_V4} is set, and the
   * instance metadata lookup when {@code placementNow} and {@code AWS_EC2_METADATA_DISABLED} is not
   * true; otherwise instance metadata is asked only if {@link #placement()} is called.
   */
  public static MetadataLookups start(Environment environment, boolean placementNow) {
    return start(environment, placementNow, ATTEMPT_TIMEOUT, DEADLINE);
  }

  static MetadataLookups start(
      Environment environment, boolean placementNow, Duration attempt, Duration deadline) {
    Lookup<EcsTask> task;
    if (environment.given(ECS_CONTAINER_METADATA_URI_V4).isPresent()) {
      URI base = Region.endpoint(environment, ECS_CONTAINER_METADATA_URI_V4, "http://x");
      task =
          new Lookup<>(
              "ECS task metadata at "
                  + TaskMetadata.taskUri(base)
                  + " ("
                  + ECS_CONTAINER_METADATA_URI_V4.name()
                  + ")",
              "meshboot-task-metadata",
              deadline,
              () -> readTask(base, attempt, System.nanoTime() + deadline.toNanos()));
      task.start();
    } else {
      task = Lookup.never("ECS task metadata", ECS_CONTAINER_METADATA_URI_V4.name() + " unset");
    }

    Lookup<Placement> placement;
    if (new ConfigReader(environment).optionalBool(AWS_EC2_METADATA_DISABLED).orElse(false)) {
      placement =
          Lookup.never(
              "EC2 instance metadata", "disabled by " + AWS_EC2_METADATA_DISABLED.name() + "=true");
    } else {
      boolean given = environment.given(AWS_EC2_METADATA_SERVICE_ENDPOINT).isPresent();
      URI endpoint =
          Region.endpoint(
              environment, AWS_EC2_METADATA_SERVICE_ENDPOINT, InstanceMetadata.DEFAULT_ENDPOINT);
      placement =
          new Lookup<>(
              "EC2 instance metadata at "
                  + endpoint
                  + " ("
                  + (given ? "" : "default of ")
                  + AWS_EC2_METADATA_SERVICE_ENDPOINT.name()
                  + "; "
                  + AWS_EC2_METADATA_DISABLED.name()
                  + "=true skips it)",
              "meshboot-instance-metadata",
              deadline,
              () -> readPlacement(endpoint, attempt));
      if (placementNow) {
        placement.start();
      }
    }
    return new MetadataLookups(task, placement);
  }

  /** The task metadata's answer, waiting at most until its deadline. */
  public Answer<EcsTask> task() {
    return task.answer();
  }

  /**
   * The instance metadata's answer, asking it now unless it was asked already or is disabled; waits
   * at most until its deadline.
   */
  public Answer<Placement> placement() {
    placement.start();
    return placement.answer();
  }

  /** Whether instance metadata has been asked (so {@link #placement()} costs no new request). */
  public boolean placementAsked() {
    return placement.started();
  }

  private static EcsTask readTask(URI base, Duration attempt, long deadline) throws IOException {
    for (int n = 1; ; n++) {
      IOException failure;
      try {
        return TaskMetadata.read(base, attempt);
      } catch (AwsHttp.StatusException e) {
        if (e.status() < 500) {
          throw e;
        }
        failure = e;
      } catch (IOException e) {
        failure = e;
      }
      if (n == TASK_ATTEMPTS || System.nanoTime() + TASK_RETRY_PAUSE.toNanos() >= deadline) {
        throw failure;
      }
      try {
        Thread.sleep(TASK_RETRY_PAUSE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private static Placement readPlacement(URI endpoint, Duration attempt) {
    try (SdkHttpClient http = AwsHttp.metadataClient(attempt);
        Ec2MetadataClient imds = InstanceMetadata.client(http, endpoint)) {
      return InstanceMetadata.read(imds);
    }
  }

  /** Short duration text for messages: 2s, 300ms. */
  private static String text(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }

  /** One source: asked at most once, on a daemon thread, waited for until its deadline. */
  private static final class Lookup<T> {
    private final String source;
    private final String threadName;
    private final Duration deadline;
    private final @Nullable Callable<T> call;
    private final String never;
    private @Nullable FutureTask<T> running;
    private long deadlineNanos;

    Lookup(String source, String threadName, Duration deadline, Callable<T> call) {
      this.source = source;
      this.threadName = threadName;
      this.deadline = deadline;
      this.call = call;
      this.never = "";
    }

    private Lookup(String source, String never) {
      this.source = source;
      this.threadName = "";
      this.deadline = Duration.ZERO;
      this.call = null;
      this.never = never;
    }

    static <T> Lookup<T> never(String source, String why) {
      return new Lookup<>(source, why);
    }

    synchronized void start() {
      if (call == null || running != null) {
        return;
      }
      FutureTask<T> task = new FutureTask<>(call);
      deadlineNanos = System.nanoTime() + deadline.toNanos();
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      thread.start();
      running = task;
    }

    synchronized boolean started() {
      return running != null;
    }

    Answer<T> answer() {
      FutureTask<T> task;
      long until;
      synchronized (this) {
        task = running;
        until = deadlineNanos;
      }
      if (task == null) {
        return new Answer<>(source, Optional.empty(), false, call == null ? never : "not asked");
      }
      try {
        T value = task.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
        return new Answer<>(source, Optional.of(value), true, "");
      } catch (TimeoutException e) {
        return failed("no answer within " + text(deadline));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return failed("interrupted");
      } catch (ExecutionException e) {
        return failed(Region.reason(e.getCause() == null ? e : e.getCause()));
      }
    }

    private Answer<T> failed(String why) {
      return new Answer<>(source, Optional.empty(), true, why);
    }
  }
}
