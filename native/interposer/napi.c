/* Node-API glue: exports.install(Int32Array), exports.uninstall(), exports.counters(BigInt64Array),
 * exports.events(Int32Array, BigInt64Array), after kahook_install, kahook_counters, kahook_events.
 * The few napi functions are weak references, so the same file also loads with bun:ffi and
 * Deno.dlopen, or in a C program, where they may be absent; no Node headers are needed. */
#include <errno.h>
#include <stddef.h>
#include "kahook.h"

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
enum { NAPI_OK = 0, NAPI_INT32_ARRAY = 5, NAPI_BIGINT64_ARRAY = 9 }; /* napi_ok, napi_typedarray_type */

#define WEAK __attribute__((weak))
WEAK int napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
WEAK int napi_set_named_property(napi_env, napi_value, const char *, napi_value);
WEAK int napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
WEAK int napi_get_typedarray_info(napi_env, napi_value, int *, size_t *, void **, napi_value *, size_t *);
WEAK int napi_create_int64(napi_env, int64_t, napi_value *);

static napi_value number(napi_env env, int64_t value) {
  napi_value result = NULL;
  napi_create_int64(env, value, &result);
  return result;
}

/* Whether argument `index` is a typed array of the type given; if so, its data (NULL when empty) and length. */
static int array(napi_env env, napi_callback_info info, size_t index, int type, void **data, int32_t *length) {
  size_t argc = 2, elements = 0;
  napi_value args[2] = {NULL, NULL};
  int actual = -1;
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != NAPI_OK || argc <= index || !args[index] ||
      napi_get_typedarray_info(env, args[index], &actual, &elements, data, NULL, NULL) != NAPI_OK ||
      actual != type || elements > INT32_MAX)
    return 0;
  *length = (int32_t)elements;
  return 1;
}

static napi_value install(napi_env env, napi_callback_info info) {
  void *words = NULL;
  int32_t length = 0;
  if (!array(env, info, 0, NAPI_INT32_ARRAY, &words, &length)) return number(env, KAHOOK_INVALID_CONFIG);
  return number(env, kahook_install(words, length));
}

static napi_value uninstall(napi_env env, napi_callback_info info) {
  (void)info;
  return number(env, kahook_uninstall());
}

static napi_value counters(napi_env env, napi_callback_info info) {
  void *out = NULL;
  int32_t length = 0;
  if (!array(env, info, 0, NAPI_BIGINT64_ARRAY, &out, &length)) return number(env, KAHOOK_INVALID_CONFIG);
  return number(env, kahook_counters(out, length));
}

/* events(out, cursor): cursor is a BigInt64Array of one element, moved past what was copied. */
static napi_value events(napi_env env, napi_callback_info info) {
  void *out = NULL, *cursor = NULL;
  int32_t length = 0, cursors = 0;
  if (!array(env, info, 0, NAPI_INT32_ARRAY, &out, &length) ||
      !array(env, info, 1, NAPI_BIGINT64_ARRAY, &cursor, &cursors) || cursors != 1)
    return number(env, KAHOOK_INVALID_CONFIG);
  return number(env, kahook_events(out, length / EVENT_WORDS, cursor));
}

static void define(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn = NULL;
  if (napi_create_function(env, name, (size_t)-1, cb, NULL, &fn) == NAPI_OK) napi_set_named_property(env, exports, name, fn);
}

KAHOOK_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  if (!napi_create_function || !napi_set_named_property || !napi_get_cb_info || !napi_get_typedarray_info ||
      !napi_create_int64)
    return exports;
  define(env, exports, "install", install);
  define(env, exports, "uninstall", uninstall);
  define(env, exports, "counters", counters);
  define(env, exports, "events", events);
  return exports;
}

/* Node-API version 8, the default Node assumes without this symbol. */
KAHOOK_EXPORT int32_t node_api_module_get_api_version_v1(void) { return 8; }
