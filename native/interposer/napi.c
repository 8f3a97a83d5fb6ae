/* Node-API glue: exports.install(Int32Array), exports.uninstall(), exports.stat(number).
 * The few napi functions are weak references, so the same file also loads with bun:ffi and
 * Deno.dlopen, or in a C program, where they may be absent; no Node headers are needed. */
#include <errno.h>
#include <stddef.h>
#include "kahook.h"

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
enum { NAPI_OK = 0, NAPI_INT32_ARRAY = 5 }; /* napi_ok, napi_int32_array */

#define WEAK __attribute__((weak))
WEAK int napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
WEAK int napi_set_named_property(napi_env, napi_value, const char *, napi_value);
WEAK int napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *, napi_value *, void **);
WEAK int napi_get_typedarray_info(napi_env, napi_value, int *, size_t *, void **, napi_value *, size_t *);
WEAK int napi_get_value_int32(napi_env, napi_value, int32_t *);
WEAK int napi_create_int64(napi_env, int64_t, napi_value *);

static napi_value number(napi_env env, int64_t value) {
  napi_value result = NULL;
  napi_create_int64(env, value, &result);
  return result;
}

/* The first argument, or NULL. */
static napi_value argument(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg = NULL;
  return napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) == NAPI_OK && argc >= 1 ? arg : NULL;
}

static napi_value install(napi_env env, napi_callback_info info) {
  napi_value words = argument(env, info);
  int type = -1;
  size_t length = 0;
  void *data = NULL;
  if (!words || napi_get_typedarray_info(env, words, &type, &length, &data, NULL, NULL) != NAPI_OK ||
      type != NAPI_INT32_ARRAY || length > INT32_MAX)
    return number(env, -EINVAL);
  return number(env, kahook_install(data, (int32_t)length));
}

static napi_value uninstall(napi_env env, napi_callback_info info) {
  (void)info;
  return number(env, kahook_uninstall());
}

static napi_value stat(napi_env env, napi_callback_info info) {
  napi_value which = argument(env, info);
  int32_t n = -1;
  if (!which || napi_get_value_int32(env, which, &n) != NAPI_OK) return number(env, -EINVAL);
  return number(env, kahook_stat(n));
}

static void define(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn = NULL;
  if (napi_create_function(env, name, (size_t)-1, cb, NULL, &fn) == NAPI_OK) napi_set_named_property(env, exports, name, fn);
}

KAHOOK_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  if (!napi_create_function || !napi_set_named_property || !napi_get_cb_info || !napi_get_typedarray_info ||
      !napi_get_value_int32 || !napi_create_int64)
    return exports;
  define(env, exports, "install", install);
  define(env, exports, "uninstall", uninstall);
  define(env, exports, "stat", stat);
  return exports;
}

/* Node-API version 8, the default Node assumes without this symbol. */
KAHOOK_EXPORT int32_t node_api_module_get_api_version_v1(void) { return 8; }
