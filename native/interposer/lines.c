/* kahook's stderr lines: built in a fixed buffer and written with one write(2), so that they
 * need no allocation and lines from several threads do not interleave. */
#include <errno.h>
#include <unistd.h>
#include "kahook.h"

void kahook_put(struct line *l, const char *s) {
  while (*s && l->used < sizeof l->text - 1) l->text[l->used++] = *s++;
}

void kahook_put_int(struct line *l, long value) {
  char digits[24], *d = digits + sizeof digits;
  unsigned long u = value < 0 ? 0UL - (unsigned long)value : (unsigned long)value;
  *--d = '\0';
  do *--d = (char)('0' + u % 10); while ((u /= 10) != 0);
  if (value < 0) *--d = '-';
  kahook_put(l, d);
}

void kahook_emit(struct line *l) {
  int saved = errno;
  l->text[l->used++] = '\n';
  if (write(2, l->text, l->used) < 0) {
    /* stderr closed: the line is lost, the program goes on */
  }
  errno = saved;
}
