/*
 * meshboot's launcher inside the container image, which has no shell to run bin/meshboot: runs the
 * image's JRE with the JVM options bin/meshboot gives each command, read from the argument files
 * the image build wrote from bin/meshboot itself (with the image's AOT caches), so that a task
 * definition's `["CMD", "meshboot", "healthcheck"]` and `podman exec ... meshboot wait-ready`
 * work.
 *
 * The heap follows the container's memory limit: bin/meshboot's -Xmx (64 MB, 128 MB for the mesh
 * commands) is a ceiling for a host; in a container whose limit is below four times that, a JVM
 * gets a quarter of the limit (at least 16 MB), so that the supervisor, the renderer it starts and
 * Envoy fit together (128 MB: 32 MB heaps); MESHBOOT_JAVA_OPTS follows it, as in bin/meshboot,
 * and may set another. The argument files hold every other option of bin/meshboot's; the image
 * build checks that its ceilings are still the ones below. The plain `meshboot healthcheck` is
 * answered here, without a JVM (healthcheck() says why).
 */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define JAVA "/opt/meshboot/jre/bin/java"
#define ARGS "@/opt/meshboot/lib/image/"
#define JAR "/opt/meshboot/lib/meshboot.jar"
#define MB (1024L * 1024L)

/* The container's memory limit in bytes (cgroup v2, else v1), or -1 when there is none. */
static long memory_limit(void) {
  static const char *const files[] = {"/sys/fs/cgroup/memory.max",
                                      "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    FILE *file = fopen(files[i], "r");
    if (file == NULL) {
      continue;
    }
    char text[32] = {0};
    char *line = fgets(text, sizeof text, file);
    fclose(file);
    if (line == NULL) {
      continue;
    }
    char *end;
    errno = 0;
    long long limit = strtoll(text, &end, 10);
    /* "max" (v2), or v1's "no limit" (a page-rounded LLONG_MAX) */
    if (end == text || errno != 0 || limit <= 0 || limit >= (1LL << 50)) {
      return -1;
    }
    return (long)limit;
  }
  return -1;
}

/* Whether the response holds its headers and the content-length they announce (the server may
 * keep the connection open despite "Connection: close"). */
static int complete(const char *response) {
  const char *end = strstr(response, "\r\n\r\n");
  const char *length = strcasestr(response, "\r\ncontent-length:");
  if (end == NULL || length == NULL || length > end) {
    return 0;
  }
  return strlen(end + 4) >= strtoul(length + 17, NULL, 10);
}

/*
 * `meshboot healthcheck` as the image runs it every few seconds (HEALTHCHECK, the task definitions'
 * health check), without a JVM: GET /status from the management API on its unix socket, exit 0
 * on 200, 9 otherwise, the body printed; what ProbeCommand does for this one case. A JVM costs
 * ~0.5 s of CPU per probe, which a task with a quarter of a vCPU stretches past a 2 s timeout
 * (measured: 2.5-2.9 s). Returns -1, and the JVM answers, for anything else: arguments (an env
 * file), a TCP management API, a socket path that is not absolute or too long.
 */
static int healthcheck(void) {
  const char *mode = getenv("APPNET_AGENT_ADMIN_MODE");
  const char *path = getenv("APPNET_AGENT_ADMIN_UDS_PATH");
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (mode == NULL || strcmp(mode, "uds") != 0 || path == NULL || path[0] != '/' ||
      strlen(path) >= sizeof address.sun_path) {
    return -1;
  }
  strcpy(address.sun_path, path);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct timeval timeout = {.tv_sec = 2};
  if (sock < 0 || setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0 ||
      setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0 ||
      connect(sock, (struct sockaddr *)&address, sizeof address) != 0) {
    fprintf(stderr, "meshboot: the management API does not answer at %s: %s\n", path,
            strerror(errno));
    return 9;
  }
  static const char request[] = "GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  static char response[256 * 1024];
  size_t length = 0;
  ssize_t n = write(sock, request, sizeof request - 1);
  while (n > 0 && length < sizeof response - 1 && !complete(response)) {
    n = read(sock, response + length, sizeof response - 1 - length);
    length += n > 0 ? (size_t)n : 0;
    response[length] = '\0';
  }
  close(sock);
  int status = 0;
  if (n < 0 || sscanf(response, "HTTP/1.%*d %d", &status) != 1) {
    fprintf(stderr, "meshboot: no answer from the management API at %s\n", path);
    return 9;
  }
  char *body = strstr(response, "\r\n\r\n");
  if (body != NULL) {
    fputs(body + 4, stdout);
  }
  return status == 200 ? 0 : 9;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "healthcheck") == 0) {
    int exit_code = healthcheck();
    if (exit_code >= 0) {
      return exit_code;
    }
  }
  const char *options = ARGS "command.args";
  long ceiling = 64 * MB;
  if (argc > 1 && strcmp(argv[1], "run") == 0) {
    options = ARGS "run.args";
  } else if (argc > 1 && strcmp(argv[1], "mesh") == 0) {
    options = ARGS "mesh.args";
    ceiling = 128 * MB;
  }
  long limit = memory_limit();
  if (limit > 0 && limit / 4 < ceiling) {
    ceiling = limit / 4 < 16 * MB ? 16 * MB : limit / 4;
  }
  static char heap[32];
  snprintf(heap, sizeof heap, "-Xmx%ldm", ceiling / MB);
  /* The caller's JVM options (MESHBOOT_JAVA_OPTS, as bin/meshboot reads them: split at blanks),
   * after the heap ceiling, so that -Xmx there raises or lowers it. */
  char *extra = getenv("MESHBOOT_JAVA_OPTS");
  extra = extra == NULL ? NULL : strdup(extra);
  size_t words = 0; /* at most one per blank-separated word: its length bounds them */
  if (extra != NULL) {
    words = strlen(extra) / 2 + 1;
  }
  char **args = calloc((size_t)argc + 5 + words, sizeof *args);
  if (args == NULL) {
    perror("meshboot");
    return 1;
  }
  int n = 0;
  args[n++] = JAVA;
  args[n++] = (char *)options;
  args[n++] = heap;
  for (char *word = extra == NULL ? NULL : strtok(extra, " \t\n"); word != NULL;
       word = strtok(NULL, " \t\n")) {
    args[n++] = word;
  }
  args[n++] = "-jar";
  args[n++] = JAR;
  for (int i = 1; i < argc; i++) {
    args[n++] = argv[i];
  }
  execv(JAVA, args);
  fprintf(stderr, "meshboot: cannot run %s: %s\n", JAVA, strerror(errno));
  return 127;
}
