/* libkahook.so's start when preloaded (LD_PRELOAD, as `kahook run` and `kahook env` set it):
 * installs the interposer before main with the configuration compiled by kahook's TypeScript
 * side, which it reads from KAHOOK_NATIVE_CONFIG as decimal words separated by commas. There is
 * no parser of the human-written variables here: `kahook env` checks and compiles them once.
 * KAHOOK_NATIVE_INHERIT=0 removes the library and its variables from the environment, so that
 * the processes the program starts run without it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kahook.h"

/* Words enough for the largest configuration kahook_install takes (abi.h's MAX_WORDS). */
static int32_t words[MAX_WORDS];

/* The words of "1,3,-5,..."; -1 when the text is anything else. Parsed here rather than with
 * strtol, which newer glibc headers turn into __isoc23_strtol, a symbol older glibc lacks. */
static int read_words(const char *text) {
  int count = 0;
  while (*text) {
    int negative = *text == '-';
    const char *digit = text + negative;
    int64_t word = 0;
    if (*digit < '0' || *digit > '9' || count == MAX_WORDS) return -1;
    for (; *digit >= '0' && *digit <= '9'; digit++)
      if ((word = word * 10 + (*digit - '0')) > (int64_t)INT32_MAX + negative) return -1;
    words[count++] = (int32_t)(negative ? -word : word);
    if (*digit == ',' && digit[1]) digit++;
    else if (*digit) return -1;
    text = digit;
  }
  return count;
}

/* "kahook: WHAT", and the number when there is one. */
static void say(const char *what, const long *number) {
  struct line l = {.used = 0};
  kahook_put(&l, "kahook: ");
  kahook_put(&l, what);
  if (number) kahook_put_int(&l, *number);
  kahook_emit(&l);
}

/* LD_PRELOAD without this library (entries are separated by colons or spaces). */
static void drop_from_preload(void) {
  Dl_info self;
  const char *list = getenv("LD_PRELOAD");
  if (!list || !dladdr((void *)drop_from_preload, &self) || !self.dli_fname) return;
  char kept[4096];
  size_t used = 0;
  for (const char *entry = list; *entry;) {
    size_t length = strcspn(entry, ": ");
    int ours = length == strlen(self.dli_fname) && strncmp(entry, self.dli_fname, length) == 0;
    if (length && !ours) {
      if (used + length + 1 >= sizeof kept) return; /* too long to rewrite here: left whole, the library in it */
      if (used) kept[used++] = ':';
      memcpy(kept + used, entry, length);
      used += length;
    }
    entry += length;
    if (*entry) entry++;
  }
  kept[used] = '\0';
  if (used) setenv("LD_PRELOAD", kept, 1);
  else unsetenv("LD_PRELOAD");
}

__attribute__((constructor)) static void preloaded(void) {
  int saved = errno;
  const char *text = getenv("KAHOOK_NATIVE_CONFIG");
  const char *inherit = getenv("KAHOOK_NATIVE_INHERIT");
  if (inherit && strcmp(inherit, "0") == 0) {
    drop_from_preload();
    unsetenv("KAHOOK_NATIVE_INHERIT");
    /* text stays valid: unsetenv removes the pointer from environ, not the string it points at */
    unsetenv("KAHOOK_NATIVE_CONFIG");
  }
  if (!text) {
    say("libkahook.so is preloaded without KAHOOK_NATIVE_CONFIG: nothing is configured (`kahook env` prints both)", NULL);
  } else {
    int count = read_words(text);
    int rc = count < 0 ? KAHOOK_INVALID_CONFIG : kahook_install_with(words, count, 0);
    if (rc == KAHOOK_INVALID_CONFIG) {
      say("KAHOOK_NATIVE_CONFIG is not a configuration this libkahook.so takes (it is written by `kahook env` of the same "
          "version): nothing is configured", NULL);
    } else if (rc == KAHOOK_C_LIBRARY_MISSING) {
      say("the C library's socket functions were not found: nothing is configured", NULL);
    } else if (rc < 0) {
      say("the interposer did not install: error ", &(long){-rc});
    } else if (kahook_config.flags & FLAG_DEBUG) {
      say("interposer preloaded, slots patched: ", &(long){rc});
    }
  }
  errno = saved;
}
