/* The floor for kahook's per-connection path: the same setsockopt calls, made from C.
 * Usage: setsockopt_loop ITERATIONS CALLS_PER_ITERATION
 * Prints {"nsPerIteration": ..., "nsPerCall": ...} for CALLS (1..5) calls per iteration on one
 * TCP socket: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

static const int levels[] = {SOL_SOCKET, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP};
static const int names[] = {SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT};
static const int values[] = {1, 15, 15, 9, 150000};

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 100000;
  int calls = argc > 2 ? atoi(argv[2]) : 5;
  if (iterations < 1 || calls < 1 || calls > 5) {
    fprintf(stderr, "usage: %s ITERATIONS(>=1) CALLS(1..5)\n", argv[0]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long i = 0; i < iterations; i++)
    for (int c = 0; c < calls; c++)
      if (setsockopt(fd, levels[c], names[c], &values[c], sizeof(int)) != 0) {
        perror("setsockopt");
        return 1;
      }
  clock_gettime(CLOCK_MONOTONIC, &end);
  double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
  printf("{\"nsPerIteration\": %.1f, \"nsPerCall\": %.2f}\n", ns / iterations, ns / iterations / calls);
  return 0;
}
