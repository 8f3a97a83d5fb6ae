/* The C library's own definitions of the wrapped functions, read from its handles. The names
 * are the sonames glibc has used since 2.3; musl answers all three with itself. */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include "kahook.h"

const char *const kahook_names[FN_COUNT] = {
    "socket", "connect", "listen", "accept", "accept4", "setsockopt", "close", "dup",
    "dup2",   "dup3",    "fcntl",  "dlopen", "fcntl64", "close_range", "syscall",
};
void *kahook_real[FN_COUNT];
static void *definitions[FN_COUNT][DEFINITIONS];

/* In the order a program linked with all three binds to them: libpthread's cancellable
 * wrappers come before libc in its search order. */
static const char *const libraries[DEFINITIONS] = {KAHOOK_C_LIBRARIES};

int kahook_find_real(void) {
  int rc = 0;
  for (int d = 0; d < DEFINITIONS; d++) {
    void *handle = dlopen(libraries[d], RTLD_NOLOAD | RTLD_LAZY);
    /* Atomic stores: a walk may be reading them while a second install looks them up again. */
    for (int fn = 0; fn < FN_COUNT; fn++)
      __atomic_store_n(&definitions[fn][d], handle ? dlsym(handle, kahook_names[fn]) : NULL, __ATOMIC_RELAXED);
    if (handle) dlclose(handle); /* drops the reference RTLD_NOLOAD took; the library stays */
  }
  dlerror(); /* the failed lookups' messages are not the program's */
  for (int fn = 0; fn < FN_COUNT; fn++) {
    void *first = NULL;
    for (int d = 0; d < DEFINITIONS && !first; d++) first = __atomic_load_n(&definitions[fn][d], __ATOMIC_RELAXED);
    __atomic_store_n(&kahook_real[fn], first, __ATOMIC_RELEASE);
    if (!first && fn < FN_OPTIONAL) rc = KAHOOK_C_LIBRARY_MISSING;
  }
  return rc;
}

int kahook_is_real(int fn, const void *address) {
  for (int d = 0; d < DEFINITIONS; d++)
    if (address && __atomic_load_n(&definitions[fn][d], __ATOMIC_RELAXED) == address) return 1;
  return 0;
}

/* glibc's pthread_atfork is a static stub calling __register_atfork with the caller's
 * __dso_handle, so that the handlers leave with the library; musl exports pthread_atfork. */
typedef int register_atfork_fn(void (*)(void), void (*)(void), void (*)(void), void *);
typedef int pthread_atfork_fn(void (*)(void), void (*)(void), void (*)(void));
extern void *__dso_handle;

void kahook_at_fork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
  static atomic_flag registered = ATOMIC_FLAG_INIT;
  if (atomic_flag_test_and_set(&registered)) return;
  void *libc = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
  if (!libc) return;
  register_atfork_fn *glibc = (register_atfork_fn *)dlsym(libc, "__register_atfork");
  pthread_atfork_fn *posix = glibc ? NULL : (pthread_atfork_fn *)dlsym(libc, "pthread_atfork");
  if (glibc) glibc(prepare, parent, child, &__dso_handle);
  else if (posix) posix(prepare, parent, child);
  dlclose(libc);
  dlerror();
}
