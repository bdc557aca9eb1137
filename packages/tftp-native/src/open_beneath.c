// Open a path beneath a root directory the way a chroot would see it, with openat2(2) and
// RESOLVE_IN_ROOT: absolute symlinks and ".." met while resolving stay inside the root, so an
// image's own links (`pwn -> /etc`) can never lead the server to a host file. The kernel does the
// resolution in one system call, so a link swapped while we resolve cannot escape either.
// Node has no openat2 (nor openat); the JavaScript side gets a descriptor and works through
// /proc/self/fd/<fd>/<name> for the last component.
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static napi_value throw_errno(napi_env env, int err, const char *what) {
  const char *code = err == ENOENT ? "ENOENT" : err == ENOTDIR ? "ENOTDIR" : err == ELOOP ? "ELOOP" : err == EXDEV ? "EXDEV" : err == ENOSYS ? "ENOSYS" : err == EACCES ? "EACCES" : "EIO";
  napi_value error, message, code_value;
  char text[512];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_create_error(env, code_value, message, &error);
  napi_set_named_property(env, error, "code", code_value);
  napi_throw(env, error);
  return NULL;
}

static char *string_arg(napi_env env, napi_value value) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, value, s, len + 1, &len);
  if (strlen(s) != len) { // an embedded NUL would cut the path short
    free(s);
    return NULL;
  }
  return s;
}

/** openBeneath(root, path, directory): a read-only descriptor (close-on-exec) of `path` resolved inside `root`. */
static napi_value open_beneath(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "openBeneath(root, path, directory)");
    return NULL;
  }
  bool directory = false;
  if (argc > 2) napi_get_value_bool(env, argv[2], &directory);
  char *root = string_arg(env, argv[0]);
  char *path = string_arg(env, argv[1]);
  if (!root || !path) {
    free(root);
    free(path);
    napi_throw_type_error(env, NULL, "openBeneath: root and path must be strings without NUL");
    return NULL;
  }
  int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    int err = errno;
    free(root);
    free(path);
    return throw_errno(env, err, "cannot open the root");
  }
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (directory ? O_DIRECTORY : 0);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char *rel = path[0] ? path : ".";
  long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
  int err = errno;
  close(root_fd);
  free(root);
  free(path);
  if (fd < 0) return throw_errno(env, err, "cannot open beneath the root");
  napi_value result;
  napi_create_int32(env, (int32_t)fd, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "openBeneath", NAPI_AUTO_LENGTH, open_beneath, NULL, &fn);
  napi_set_named_property(env, exports, "openBeneath", fn);
  return exports;
}
