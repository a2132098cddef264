// The floor of bench/relay.py: one more hop with nothing in it. Copies bytes between each client of
// a unix socket and a TCP connection to the upstream (64 KB reads, a thread per direction), no
// HTTP/2, no gRPC, no parsing. Usage: splice <upstream port> <socket path>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/tcp.h>
#include <unistd.h>

static int port;
struct pair { int from, to; };

static void *pump(void *arg) {
  struct pair *p = arg;
  char buf[65536];
  for (;;) {
    ssize_t n = read(p->from, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(p->to, buf + off, n - off);
      if (w <= 0) return NULL;
      off += w;
    }
  }
  shutdown(p->to, SHUT_WR);
  return NULL;
}

static void *serve(void *arg) {
  int client = (int)(long)arg;
  int up = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(up, (struct sockaddr *)&a, sizeof a) != 0) { close(client); return NULL; }
  int one = 1;
  setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct pair there = {client, up}, back = {up, client};
  pthread_t t;
  pthread_create(&t, NULL, pump, &there);
  pump(&back);
  pthread_join(t, NULL);
  close(up);
  close(client);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: splice <upstream port> <socket path>\n");
    return 2;
  }
  port = atoi(argv[1]);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, argv[2], sizeof a.sun_path - 1);
  unlink(argv[2]);
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0) { perror("bind"); return 1; }
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    pthread_t t;
    pthread_create(&t, NULL, serve, (void *)(long)c);
    pthread_detach(t);
  }
}
