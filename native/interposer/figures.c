/* What the interposer counted, and the events of the sockets it configured. Recording takes no
 * lock and no allocation: relaxed atomic additions, and for an event one slot of a fixed ring,
 * claimed with an atomic increment and published with its sequence number. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include "kahook.h"

/* Found by `kahook inspect` in the process's memory, through the library's symbol table: the
 * magic names the layout (abi.h's STAT_*), which a new layout must rename. */
KAHOOK_EXPORT struct {
  char magic[16];
  _Atomic int64_t value[STAT_TOTAL];
} KAHOOK_FIGURES = {.magic = KAHOOK_FIGURES_MAGIC};

/* The options whose kept values are counted apart, in STAT_KEPT_BY_OPTION's order. */
static const int kept_options[KEPT_OPTIONS][2] = KAHOOK_KEPT_OPTIONS;

/* A power of two: a slot's index is the event's number modulo RING. */
enum { RING = 4096 };
struct event {
  _Atomic uint64_t sequence; /* the event's number + 1 once written whole; 0 while being written */
  _Atomic int32_t word[EVENT_WORDS];
};
static struct event ring[RING];
static _Atomic uint64_t written; /* events claimed so far */

static void add(int stat, int64_t amount) {
  atomic_fetch_add_explicit(&KAHOOK_FIGURES.value[stat], amount, memory_order_relaxed);
}

void kahook_figure_set(int stat, int64_t value) {
  atomic_store_explicit(&KAHOOK_FIGURES.value[stat], value, memory_order_relaxed);
}

void kahook_figures_reset(void) {
  for (int i = 0; i < STAT_TOTAL; i++) kahook_figure_set(i, 0);
  atomic_store_explicit(&written, 0, memory_order_relaxed);
  for (int i = 0; i < RING; i++) atomic_store_explicit(&ring[i].sequence, 0, memory_order_relaxed);
}

void kahook_record_socket(int fd, int set, int failed, int error, int untagged) {
  add(failed < 0 ? STAT_CONFIGURED : STAT_FAILED, 1);
  add(STAT_BY_SET + set * SET_FIGURES + (failed < 0 ? SET_CONFIGURED : SET_FAILED), 1);
  if (untagged) add(STAT_UNTAGGED, 1);
  uint64_t number = atomic_fetch_add_explicit(&written, 1, memory_order_relaxed);
  struct event *e = &ring[number & (RING - 1)];
  const int32_t words[EVENT_WORDS] = {failed < 0 ? EVENT_CONFIGURED : EVENT_FAILED, fd, set, failed, error};
  atomic_store_explicit(&e->sequence, 0, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  for (int i = 0; i < EVENT_WORDS; i++) atomic_store_explicit(&e->word[i], words[i], memory_order_relaxed);
  atomic_store_explicit(&e->sequence, number + 1, memory_order_release);
}

void kahook_record_kept(int level, int name) {
  add(STAT_KEPT, 1);
  for (int i = 0; i < KEPT_OPTIONS; i++)
    if (kept_options[i][0] == level && kept_options[i][1] == name) add(STAT_KEPT_BY_OPTION + i, 1);
}

void kahook_record_dead(int set, int cause) {
  add(STAT_DEAD, 1);
  add(STAT_BY_SET + set * SET_FIGURES + SET_DEAD_KEEPALIVE + cause, 1);
}

int32_t kahook_counters(int64_t *out, int32_t capacity) {
  for (int i = 0; out && i < capacity && i < STAT_TOTAL; i++)
    out[i] = atomic_load_explicit(&KAHOOK_FIGURES.value[i], memory_order_relaxed);
  return STAT_TOTAL;
}

/* A seqlock read of each slot: its sequence before and after the copy must both be the event's
 * number + 1. A slot not yet written (its sequence 0, or the previous round's) stops the drain
 * there, for the next one; a slot a later event took (the ring went round) counts as lost. */
int32_t kahook_events(int32_t *out, int32_t capacity, int64_t *cursor) {
  if (!cursor || *cursor < 0) return 0;
  uint64_t next = (uint64_t)*cursor, end = atomic_load_explicit(&written, memory_order_acquire);
  int32_t copied = 0;
  if (capacity <= 0 || !out) { /* no room: moves past every event, none lost */
    *cursor = (int64_t)end;
    return 0;
  }
  if (next > end) next = end; /* the figures were reset by an install since */
  if (end - next > RING) {
    add(STAT_EVENTS_LOST, (int64_t)(end - next - RING));
    next = end - RING;
  }
  for (; next < end && copied < capacity; next++) {
    struct event *e = &ring[next & (RING - 1)];
    uint64_t before = atomic_load_explicit(&e->sequence, memory_order_acquire);
    if (before < next + 1) break;
    if (before > next + 1) {
      add(STAT_EVENTS_LOST, 1);
      continue;
    }
    int32_t *words = out + copied * EVENT_WORDS;
    for (int i = 0; i < EVENT_WORDS; i++) words[i] = atomic_load_explicit(&e->word[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&e->sequence, memory_order_relaxed) != before) {
      add(STAT_EVENTS_LOST, 1);
      continue;
    }
    copied++;
  }
  *cursor = (int64_t)next;
  return copied;
}
