// glibc's mallopt(3) for bin/malloc-tuning.js, which sets the allocator's arena count, mmap
// threshold and trim threshold of every Opal process at run time (the environment variables
// MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ would need to be set before
// the process starts). Built by `npm ci` (binding.gyp, scripts/build-native.mjs). Without glibc
// (musl, macOS) it exports nothing.
#include <node_api.h>

#ifdef __GLIBC__
#include <malloc.h>

// mallopt(param, value): glibc's return value, 1 on success and 0 on error.
static napi_value Mallopt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t param = 0, value = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_int32(env, argv[0], &param) != napi_ok || napi_get_value_int32(env, argv[1], &value) != napi_ok) {
    napi_throw_type_error(env, NULL, "mallopt(param, value) takes two integers");
    return NULL;
  }
  if (napi_create_int32(env, mallopt(param, value), &result) != napi_ok) return NULL;
  return result;
}
#endif

NAPI_MODULE_INIT() {
#ifdef __GLIBC__
  napi_value fn;
  if (napi_create_function(env, "mallopt", NAPI_AUTO_LENGTH, Mallopt, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "mallopt", fn) != napi_ok)
    return NULL;
#endif
  return exports;
}
