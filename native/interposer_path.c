/* The interposer's per-connection cost against the same calls made by the program itself, in
 * one process. Each round runs four loops of ITERATIONS loopback connections (socket, connect,
 * accept, close both), in an order that rotates:
 *   none        nothing set;
 *   calls       the 5 default setsockopt calls before connect, made by this program;
 *   reference   connect through the C reference's wrapper (native/keepalive_preload.c, argv[2]),
 *               dlopened and called as LD_PRELOAD would bind it, making those 5 calls;
 *   interposer  the library (argv[1]) installed with those 5 settings, nothing set by the loop.
 * Usage: interposer_path LIBRARY REFERENCE ITERATIONS ROUNDS
 * Prints {"none": [...], "calls": [...], "reference": [...], "interposer": [...]}: ns per
 * connection, one per round. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include "loopback.h"

enum { NONE, CALLS, REFERENCE, INTERPOSER, LOOPS, MAX_ROUNDS = 256 };
static const char *const loop_names[LOOPS] = {"none", "calls", "reference", "interposer"};

int main(int argc, char **argv) {
  long iterations = argc > 3 ? atol(argv[3]) : 0;
  int rounds = argc > 4 ? atoi(argv[4]) : 0;
  if (argc != 5 || iterations < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
    fprintf(stderr, "usage: %s LIBRARY REFERENCE ITERATIONS(>=1) ROUNDS(1..%d)\n", argv[0], MAX_ROUNDS);
    return 2;
  }
  void *reference = dlopen(argv[2], RTLD_NOW);
  connect_fn *reference_connect = NULL;
  if (!reference || !(*(void **)&reference_connect = dlsym(reference, "connect")))
    return fprintf(stderr, "interposer_path: %s\n", dlerror()), 1;
  void *library = dlopen(argv[1], RTLD_NOW);
  int32_t (*install)(const int32_t *, int32_t) = NULL;
  int32_t (*uninstall)(void) = NULL;
  if (!library || !(*(void **)&install = dlsym(library, "kahook_install")) ||
      !(*(void **)&uninstall = dlsym(library, "kahook_uninstall")))
    return fprintf(stderr, "interposer_path: %s\n", dlerror()), 1;
  /* ABI version 1, clients only; an empty listeners' set, the clients' 5 settings (sticky), no rules. */
  int32_t words[5 + 5 * 4 + 1] = {1, 1, 2, 0, 5};
  for (int s = 0; s < 5; s++)
    for (int w = 0; w < 4; w++) words[5 + s * 4 + w] = w < 3 ? DEFAULT_SETTINGS[s][w] : 1; /* sticky */
  words[sizeof words / sizeof words[0] - 1] = 0;

  struct sockaddr_in to;
  int listener = loopback_listener(&to);

  double ns[LOOPS][MAX_ROUNDS];
  connections(listener, &to, iterations / 10 + 1, 0, connect); /* warm-up */
  for (int r = 0; r < rounds; r++) {
    /* The order rotates from round to round, so that no loop always runs first or after the install. */
    for (int turn = 0; turn < LOOPS; turn++) {
      int loop = (r + turn) % LOOPS;
      if (loop == INTERPOSER && install(words, sizeof words / sizeof words[0]) <= 0)
        return fprintf(stderr, "interposer_path: install failed\n"), 1;
      ns[loop][r] = connections(listener, &to, iterations, loop == CALLS, loop == REFERENCE ? reference_connect : connect);
      if (loop == INTERPOSER && uninstall() <= 0) return fprintf(stderr, "interposer_path: uninstall failed\n"), 1;
    }
  }
  printf("{");
  for (int l = 0; l < LOOPS; l++) {
    printf("%s\"%s\": [", l ? ", " : "", loop_names[l]);
    for (int r = 0; r < rounds; r++) printf("%s%.1f", r ? ", " : "", ns[l][r]);
    printf("]");
  }
  printf("}\n");
  return 0;
}
