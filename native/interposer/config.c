/* Validates kahook_install's words (layout in kahook.h) and copies them into static storage,
 * so nothing on the socket paths depends on the caller's memory. */
#include <errno.h>
#include <string.h>
#include "kahook.h"

struct config kahook_config;

struct cursor { const int32_t *words; int32_t count, at, bad; };

/* The next word if it lies in [min, max]; otherwise min, and the input is marked bad. Stored
 * counts stay in range even while parsing, for a wrapper still running from a previous install. */
static int32_t take(struct cursor *c, int32_t min, int32_t max) {
  int32_t word = c->at < c->count ? c->words[c->at] : min;
  c->at++;
  if (word >= min && word <= max) return word;
  c->bad = 1;
  return min;
}

/* Bytes after the length and bits after the prefix must be zero, so rules compare exactly. */
static int address_clean(const struct rule *r) {
  for (int bit = r->prefix; bit < 128; bit++)
    if (r->address[bit / 8] & (0x80 >> (bit % 8))) return 0;
  return 1;
}

int kahook_config_load(const int32_t *words, int32_t count) {
  struct cursor c = {words, words ? count : 0, 0, 0};
  struct config *config = &kahook_config;
  memset(config, 0, sizeof *config);
  take(&c, KAHOOK_ABI_VERSION, KAHOOK_ABI_VERSION);
  config->flags = take(&c, 0, FLAG_CLIENTS | FLAG_LISTENERS | FLAG_DEBUG | FLAG_DEAD_PEERS);
  config->sets = take(&c, SET_RULE, MAX_SETS);
  for (int k = 0; k < config->sets && !c.bad; k++) {
    struct set *set = &config->set[k];
    set->count = take(&c, 0, MAX_SETTINGS);
    for (int i = 0; i < set->count && !c.bad; i++) {
      struct setting *s = &set->settings[i];
      s->level = take(&c, INT32_MIN, INT32_MAX);
      s->name = take(&c, INT32_MIN, INT32_MAX);
      s->value = take(&c, INT32_MIN, INT32_MAX);
      s->sticky = take(&c, 0, 1);
    }
  }
  take(&c, config->sets - SET_RULE, config->sets - SET_RULE);
  for (int i = 0; i < config->sets - SET_RULE && !c.bad; i++) {
    struct rule *r = &config->rule[i];
    r->port = take(&c, 0, 65535);
    r->length = take(&c, 0, 16);
    if (r->length != 0 && r->length != 4 && r->length != 16) c.bad = 1, r->length = 0;
    r->prefix = take(&c, 0, r->length * 8);
    for (int b = 0; b < 16; b++) r->address[b] = (unsigned char)take(&c, 0, 255);
    if (!address_clean(r)) c.bad = 1;
  }
  if (c.bad || c.at != count) {
    memset(config, 0, sizeof *config);
    return KAHOOK_INVALID_CONFIG;
  }
  return 0;
}
