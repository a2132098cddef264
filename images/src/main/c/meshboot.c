/*
 * meshboot's launcher inside the container image, which has no shell to run bin/meshboot: runs the
 * image's JRE with the JVM options bin/meshboot gives each command, read from the argument files
 * the image build wrote from bin/meshboot itself (with the image's AOT caches), so that a task
 * definition's `["CMD", "meshboot", "healthcheck"]` and `podman exec ... meshboot wait-ready`
 * work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JAVA "/opt/meshboot/jre/bin/java"
#define ARGS "@/opt/meshboot/lib/image/"

int main(int argc, char **argv) {
  const char *options = ARGS "command.args";
  if (argc > 1 && strcmp(argv[1], "run") == 0) {
    options = ARGS "run.args";
  } else if (argc > 1 && strcmp(argv[1], "mesh") == 0) {
    options = ARGS "mesh.args";
  }
  char **args = calloc((size_t)argc + 2, sizeof *args);
  if (args == NULL) {
    perror("meshboot");
    return 1;
  }
  args[0] = JAVA;
  args[1] = (char *)options;
  for (int i = 1; i < argc; i++) {
    args[i + 1] = argv[i];
  }
  execv(JAVA, args);
  fprintf(stderr, "meshboot: cannot run %s: %s\n", JAVA, strerror(errno));
  return 127;
}
