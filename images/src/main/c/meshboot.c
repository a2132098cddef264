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
 * Envoy fit together (128 MB: 32 MB heaps). The argument files hold every other option of
 * bin/meshboot's; the image build checks that its ceilings are still the ones below.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv) {
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
  char **args = calloc((size_t)argc + 5, sizeof *args);
  if (args == NULL) {
    perror("meshboot");
    return 1;
  }
  int n = 0;
  args[n++] = JAVA;
  args[n++] = (char *)options;
  args[n++] = heap;
  args[n++] = "-jar";
  args[n++] = JAR;
  for (int i = 1; i < argc; i++) {
    args[n++] = argv[i];
  }
  execv(JAVA, args);
  fprintf(stderr, "meshboot: cannot run %s: %s\n", JAVA, strerror(errno));
  return 127;
}
