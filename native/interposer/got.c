/* Points the GOT slots of the wrapped functions, in every loaded object, at the wrappers, and
 * restores them. Install, uninstall and the walk after a dlopen take one mutex among
 * themselves; the socket paths never do. A fork waits for the mutex, so that the child never
 * starts with it held by a thread it does not have. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include "kahook.h"

enum { MAX_SLOTS = KAHOOK_MAX_SLOTS };

struct slot {
  void **address;
  uintptr_t relro_end; /* end of the PT_GNU_RELRO range holding the slot; 0 if not in one */
  void *lazy;          /* an unbound JUMP_SLOT's value (a PLT stub of its own object), else NULL */
  void *original;      /* the C library's definition it held when patched, which uninstall puts back */
  unsigned char fn, patched, seen, pending;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[MAX_SLOTS]; /* the patched slots, then a walk's candidates */
static int used, installed, dropped; /* dropped: slots the last walk found no room for */
static unsigned long long walked_loads; /* dl_iterate_phdr's dlpi_adds at the last walk */
#if !LAZY_SLOT_CALLABLE
static void *global[FN_COUNT]; /* dlsym(RTLD_DEFAULT) at install: it takes ld.so's load lock */
#endif

struct object {
  struct dl_phdr_info *info;
  const ElfW(Sym) *symtab;
  const char *strtab;
  size_t strsz;
  uintptr_t relro_start, relro_end;
  int main_program, runpath;
};

struct walk { int restore, objects, restored; };

static int in_object(const struct dl_phdr_info *info, uintptr_t address, int writable) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type == PT_LOAD && (!writable || (p->p_flags & PF_W)) &&
        address - (info->dlpi_addr + p->p_vaddr) < p->p_memsz)
      return 1;
  }
  return 0;
}

static int wrapped(const char *name) {
  for (int fn = 0; fn < FN_COUNT; fn++)
    if (name[0] == kahook_names[fn][0] && strcmp(name, kahook_names[fn]) == 0) return fn;
  return -1;
}

/* Records a slot holding the C library's definition, or a lazy JUMP_SLOT still pointing into its
 * own object. Anything else bound there (an LD_PRELOAD library, a wrapper already) is left alone. */
static void consider(const struct object *o, int fn, int jump_slot, uintptr_t address, const ElfW(Sym) *sym) {
  if (address % sizeof(void *) != 0 || !in_object(o->info, address, 1)) return;
  void *value = *(void *const *)address, *lazy = NULL;
  if (!kahook_is_real(fn, value)) {
    if (!jump_slot || !in_object(o->info, (uintptr_t)value, 0)) return;
    if (sym->st_shndx != SHN_UNDEF && (uintptr_t)value == o->info->dlpi_addr + sym->st_value) return;
    lazy = value;
  }
  for (int i = 0; i < used; i++) {
    if (slots[i].address != (void **)address) continue;
    /* Patched, yet holding the C library's function again: another thread bound it lazily in
     * ld.so while it was being patched, and ld.so's store came last. Patched again now. */
    if (slots[i].patched && lazy == NULL) slots[i].patched = 0;
    return;
  }
  if (used == MAX_SLOTS) {
    dropped++;
    return;
  }
  int relro = address - o->relro_start < o->relro_end - o->relro_start;
  slots[used++] = (struct slot){(void **)address, relro ? o->relro_end : 0, lazy, NULL, (unsigned char)fn, 0, 1, 0};
}

static void relocations(const struct object *o, const ElfW(Rela) *r, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned long type = R_TYPE(r[i].r_info);
    if (type != R_JUMP_SLOT && type != R_GLOB_DAT) continue;
    const ElfW(Sym) *sym = &o->symtab[R_SYM(r[i].r_info)];
    /* A library defining the symbol binds to its own. An executable's defined-looking symbol
     * may be a canonical PLT address standing for libc's function: it is never skipped. */
    if ((!o->main_program && sym->st_shndx != SHN_UNDEF) || sym->st_name >= o->strsz) continue;
    int fn = wrapped(o->strtab + sym->st_name);
    /* A wrapped dlopen is called from kahook, which changes RPATH, RUNPATH and $ORIGIN lookup. */
    if (fn < 0 || kahook_real[fn] == NULL || (fn == FN_DLOPEN && o->runpath)) continue;
    consider(o, fn, type == R_JUMP_SLOT, o->info->dlpi_addr + r[i].r_offset, sym);
  }
}

/* A pointer of the dynamic section: glibc's ld.so adds the load address to those of a writable
 * one, musl's never does. An offset lies below the object's load address, which is far above
 * any object's size, so a value already inside the object is taken as an address. */
static uintptr_t dynamic_pointer(const struct dl_phdr_info *info, uintptr_t value) {
  return value == 0 || in_object(info, value, 0) ? value : info->dlpi_addr + value;
}

static void scan(struct object *o) {
  const struct dl_phdr_info *info = o->info;
  const ElfW(Dyn) *dyn = NULL;
  size_t dyn_count = 0, pltrelsz = 0, relasz = 0, relacount = 0;
  uintptr_t symtab = 0, strtab = 0, jmprel = 0, rela = 0;
  long pltrel = DT_RELA;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *p = &info->dlpi_phdr[i];
    if (p->p_type == PT_DYNAMIC) {
      dyn = (const void *)(info->dlpi_addr + p->p_vaddr);
      dyn_count = p->p_memsz / sizeof *dyn;
    } else if (p->p_type == PT_GNU_RELRO) {
      o->relro_start = info->dlpi_addr + p->p_vaddr;
      o->relro_end = o->relro_start + p->p_memsz;
    }
  }
  for (size_t i = 0; i < dyn_count && dyn[i].d_tag != DT_NULL; i++) {
    uintptr_t v = dyn[i].d_un.d_ptr;
    switch (dyn[i].d_tag) {
    case DT_SYMTAB: symtab = dynamic_pointer(info, v); break;
    case DT_STRTAB: strtab = dynamic_pointer(info, v); break;
    case DT_STRSZ: o->strsz = v; break;
    case DT_JMPREL: jmprel = dynamic_pointer(info, v); break;
    case DT_PLTRELSZ: pltrelsz = v; break;
    case DT_PLTREL: pltrel = (long)v; break;
    case DT_RELA: rela = dynamic_pointer(info, v); break;
    case DT_RELASZ: relasz = v; break;
    case DT_RELACOUNT: relacount = v; break; /* the leading relative relocations: skipped */
    case DT_RPATH: case DT_RUNPATH: o->runpath = 1; break;
    }
  }
  if (!in_object(info, symtab, 0) || !in_object(info, strtab, 0)) return;
  o->symtab = (const void *)symtab;
  o->strtab = (const void *)strtab;
  /* x86_64 and aarch64 objects use RELA; an object with REL PLT relocations is left alone. */
  if (pltrel == DT_RELA && in_object(info, jmprel, 0)) relocations(o, (const void *)jmprel, pltrelsz / sizeof(ElfW(Rela)));
  size_t n = relasz / sizeof(ElfW(Rela));
  if (in_object(info, rela, 0) && relacount <= n) relocations(o, (const ElfW(Rela) *)rela + relacount, n - relacount);
}

/* Writes every pending slot (patching: the C library's function to the wrapper; restoring: the
 * wrapper to the function the slot held) with one aligned pointer store, which threads calling through the slot see whole; one
 * mprotect pair per RELRO page. glibc makes RELRO read-only up to its last whole page; a
 * partial last page stays writable, and so here. Returns the number of slots written. */
static int write_pending(int restore) {
  uintptr_t page_size = getauxval(AT_PAGESZ), mask = ~(page_size - 1);
  int written = 0;
  for (int i = 0; i < used; i++) {
    if (!slots[i].pending) continue;
    uintptr_t page = (uintptr_t)slots[i].address & mask, relro_end = slots[i].relro_end;
    int writable = !relro_end || mprotect((void *)page, page_size, PROT_READ | PROT_WRITE) == 0;
    for (int j = i; j < used; j++) {
      struct slot *s = &slots[j];
      if (!s->pending || ((uintptr_t)s->address & mask) != page) continue;
      void *now = *s->address;
      s->pending = 0;
      if (!writable || (restore ? now != kahook_wrapper[s->fn] : !kahook_is_real(s->fn, now))) continue;
      if (!restore) s->original = now;
      __atomic_store_n(s->address, restore ? s->original : kahook_wrapper[s->fn], __ATOMIC_SEQ_CST);
      s->patched = !restore;
      written++;
    }
    if (relro_end && writable && page + page_size <= relro_end) mprotect((void *)page, page_size, PROT_READ);
  }
  return written;
}

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
  struct walk *w = data;
  struct object o = {.info = info, .main_program = w->objects++ == 0};
  uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);
  (void)size;
  if (o.main_program) walked_loads = info->dlpi_adds;
  if (in_object(info, (uintptr_t)&visit, 0) || (vdso && in_object(info, vdso, 0))) return 0;
  for (int i = 0; i < used; i++) {
    struct slot *s = &slots[i];
    if (!s->patched || !in_object(info, (uintptr_t)s->address, 1)) continue;
    s->seen = 1;
    s->pending = w->restore;
  }
  if (w->restore) w->restored += write_pending(1);
  else scan(&o);
  return 0;
}

/* Keeps the slots marked seen, in order. */
static void keep_seen(void) {
  int kept = 0;
  for (int i = 0; i < used; i++)
    if (slots[i].seen) slots[kept++] = slots[i];
  used = kept;
  kahook_figure_set(STAT_SLOTS, kept);
}

/* Walks every loaded object; patched slots of objects no longer loaded are forgotten. */
static void walk(struct walk *w) {
  for (int i = 0; i < used; i++) slots[i].seen = !slots[i].patched;
  dl_iterate_phdr(visit, w);
  keep_seen();
}

/* Binds a lazy slot by calling its stub once with arguments the function rejects (EBADF;
 * socket: EAFNOSUPPORT; dlopen: mode 0, refused before ld.so takes its load lock, which a thread
 * inside dlopen may hold while it waits for kahook's mutex). Done after dl_iterate_phdr returns. */
static void bind_lazy(const struct slot *s) {
  void *entry = s->lazy;
#if !LAZY_SLOT_CALLABLE
  /* What ld.so binds it to, looked up at install; an executable's canonical PLT entry is callable. */
  entry = global[s->fn];
  if (kahook_is_real(s->fn, entry)) {
    __atomic_compare_exchange_n(s->address, &(void *){s->lazy}, entry, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return;
  }
  if (entry == NULL) return;
#endif
  switch (s->fn) {
  case FN_SOCKET: ((socket_fn *)entry)(-1, 0, 0); break;
  case FN_CONNECT: ((connect_fn *)entry)(-1, NULL, 0); break;
  case FN_LISTEN: ((listen_fn *)entry)(-1, 0); break;
  case FN_ACCEPT: ((accept_fn *)entry)(-1, NULL, NULL); break;
  case FN_ACCEPT4: ((accept4_fn *)entry)(-1, NULL, NULL, 0); break;
  case FN_SETSOCKOPT: ((setsockopt_fn *)entry)(-1, 0, 0, NULL, 0); break;
  case FN_CLOSE: ((close_fn *)entry)(-1); break;
  case FN_DUP: ((dup_fn *)entry)(-1); break;
  case FN_DUP2: ((dup2_fn *)entry)(-1, -1); break;
  case FN_DUP3: ((dup3_fn *)entry)(-1, -1, 0); break;
  case FN_FCNTL: case FN_FCNTL64: ((fcntl_fn *)entry)(-1, F_GETFD); break;
  case FN_CLOSE_RANGE: ((close_range_fn *)entry)(1, 0, 0); break; /* EINVAL: first above last */
  case FN_SYSCALL: ((syscall_fn *)entry)(-1L); break;                /* ENOSYS */
  case FN_DLOPEN: ((dlopen_fn *)entry)(NULL, 0), dlerror(); break;
  }
}

/* Finds the candidates, binds the lazy ones, and patches those now holding libc's function.
 * With require_connect, nothing is patched unless some slot holds libc's connect. */
static int patch_new(int require_connect) {
  struct walk w = {0};
  int connects = 0;
  dropped = 0;
  walk(&w);
  for (int i = 0; i < used; i++)
    if (!slots[i].patched && slots[i].lazy) bind_lazy(&slots[i]);
  for (int i = 0; i < used; i++) connects += slots[i].fn == FN_CONNECT && kahook_is_real(FN_CONNECT, *slots[i].address);
  for (int i = 0; i < used; i++) slots[i].pending = !slots[i].patched && (connects || !require_connect);
  write_pending(0);
  for (int i = 0; i < used; i++) slots[i].seen = slots[i].patched;
  keep_seen();
  kahook_figure_set(STAT_SLOTS_UNPATCHED, dropped);
  if (dropped && (kahook_config.flags & FLAG_DEBUG)) {
    struct line l = {.used = 0};
    kahook_put(&l, "kahook: ");
    kahook_put_int(&l, dropped);
    kahook_put(&l, " slots left unpatched: the table holds ");
    kahook_put_int(&l, MAX_SLOTS);
    kahook_emit(&l);
  }
  return connects || !require_connect ? used : KAHOOK_NO_CONNECT_SLOT;
}

static int first_object_loads(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  *(unsigned long long *)data = info->dlpi_adds;
  return 1;
}

/* After a dlopen: patches the objects it brought in, if it brought any. */
void kahook_rewalk(void) {
  unsigned long long loads = 0;
  dl_iterate_phdr(first_object_loads, &loads);
  pthread_mutex_lock(&lock);
  if (installed && loads != walked_loads) patch_new(0);
  pthread_mutex_unlock(&lock);
}

int32_t kahook_install(const int32_t *words, int32_t count) { return kahook_install_with(words, count, 1); }

static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&lock); }
/* The child has one thread, the one that forked and took the mutex. */
static void after_fork_child(void) { pthread_mutex_init(&lock, NULL); }

/* Once slots point into this library it must never be unloaded: a dlclose of the handle that
 * loaded it leaves it in place. (Linking with -z nodelete would do the same from the start, but
 * on older glibc, 2.17 for one, a failed load of such a library aborts the whole process.) */
static void keep_loaded(void) {
  Dl_info self;
  if (dladdr((void *)keep_loaded, &self) && self.dli_fname) dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  dlerror();
}

int kahook_install_with(const int32_t *words, int32_t count, int require_connect) {
  int saved = errno;
  /* Before the mutex: looking up symbols takes ld.so's lock, which a thread inside dlopen holds
   * while its constructors run, and one of those may be waiting for the mutex in a wrapper. */
  int rc = kahook_find_real();
#if !LAZY_SLOT_CALLABLE
  void *found[FN_COUNT];
  for (int fn = 0; fn < FN_COUNT; fn++) found[fn] = dlsym(RTLD_DEFAULT, kahook_names[fn]);
  dlerror();
#endif
  if (rc == 0) {
    kahook_at_fork(before_fork, after_fork_parent, after_fork_child);
    pthread_mutex_lock(&lock);
    if (installed) rc = KAHOOK_INSTALLED_ALREADY;
    else if ((rc = kahook_config_load(words, count)) == 0) {
      kahook_reset();
#if !LAZY_SLOT_CALLABLE
      memcpy(global, found, sizeof global);
#endif
      rc = patch_new(require_connect);
      installed = rc >= 0;
    }
    pthread_mutex_unlock(&lock);
  }
  if (rc >= 0) keep_loaded();
  errno = saved;
  return rc;
}

int32_t kahook_uninstall(void) {
  int saved = errno, rc = KAHOOK_NOT_INSTALLED;
  pthread_mutex_lock(&lock);
  if (installed) {
    struct walk w = {.restore = 1};
    walk(&w);
    rc = w.restored;
    used = installed = 0;
    kahook_figure_set(STAT_SLOTS, 0);
    kahook_figure_set(STAT_SLOTS_UNPATCHED, 0);
  }
  pthread_mutex_unlock(&lock);
  errno = saved;
  return rc;
}
