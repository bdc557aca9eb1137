// WalT's DHCP server socket: what Node's dgram cannot do for a DHCP server.
//
// - Receive with IP_PKTINFO, so each request comes with the index of the interface it arrived on
//   (the server answers walt-net only, without relying on a firewall rule).
// - Send with IP_PKTINFO naming the outgoing interface, so a limited broadcast (255.255.255.255)
//   leaves through walt-net only, whatever the routing table says (RFC 2131 section 4.1).
// - Add an ARP entry (SIOCSARP) before a unicast to an address the client does not hold yet, as
//   RFC 2131 asks when the broadcast flag is clear; dnsmasq does the same.
//
// - Stamp each datagram with the time the kernel received it (SO_TIMESTAMPNS), so the server can
//   tell a retransmission the client sent before it could have seen the reply (dropped) from one
//   sent after (the reply may have been lost: answered again).
//
// The socket is polled on Node's own event loop (uv_poll): no thread, and each datagram is handed
// to a JavaScript callback (buffer, source address, source port, interface index, arrival time).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

// A DHCP message fits in an Ethernet frame; bigger datagrams are truncated and dropped.
#define MAX_DATAGRAM 2048
// Datagrams handled per wake-up before giving the event loop back (a storm must not starve it).
#define MAX_PER_WAKE 64
#define SOCKET_BUFFER_BYTES (4 * 1024 * 1024)

typedef struct {
  napi_env env;
  int fd;
  int closed;
  uv_poll_t poll;
  napi_ref on_message;
  napi_async_context async_context;
} dhcp_socket;

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  const char *name = strerrorname_np(err);
  snprintf(message, sizeof message, "%s: %s (%s)", what, strerror(err), name ? name : "?");
  napi_throw_error(env, name, message);
  return NULL;
}

static napi_value errno_string(napi_env env, const char *what, int err) {
  char message[256];
  const char *name = strerrorname_np(err);
  snprintf(message, sizeof message, "%s: %s (%s)", what, strerror(err), name ? name : "?");
  napi_value out;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value empty_string(napi_env env) {
  napi_value out;
  napi_create_string_utf8(env, "", 0, &out);
  return out;
}

// Copy a JavaScript string into buf; false if it is not a string or does not fit with its NUL.
static int get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len, copied;
  return napi_get_value_string_utf8(env, v, NULL, 0, &len) == napi_ok && len < size &&
         napi_get_value_string_utf8(env, v, buf, size, &copied) == napi_ok;
}

static dhcp_socket *get_socket(napi_env env, napi_value v) {
  dhcp_socket *s = NULL;
  if (napi_get_value_external(env, v, (void **)&s) != napi_ok || !s) {
    napi_throw_type_error(env, NULL, "not a DHCP socket handle");
    return NULL;
  }
  return s;
}

// CLOCK_REALTIME in milliseconds (with the fraction): the clock of SO_TIMESTAMPNS.
static double realtime_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void deliver(dhcp_socket *s, napi_value callback, const char *data, size_t len, struct sockaddr_in *from, int ifindex, double arrival_ms) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[5], global, result;
  char address[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from->sin_addr, address, sizeof address);
  napi_create_buffer_copy(env, len, data, NULL, &argv[0]);
  napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &argv[1]);
  napi_create_uint32(env, ntohs(from->sin_port), &argv[2]);
  napi_create_int32(env, ifindex, &argv[3]);
  napi_create_double(env, arrival_ms, &argv[4]);
  napi_get_global(env, &global);
  if (napi_call_function(env, global, callback, 5, argv, &result) == napi_pending_exception) {
    // The JavaScript side guards its handler; an exception that still gets here must not stop the socket.
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  (void)status;  // an error pending on the socket is consumed by recvmsg below
  dhcp_socket *s = poll->data;
  if (s->closed) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value resource, callback;
  napi_create_object(env, &resource);
  napi_callback_scope callback_scope;
  napi_open_callback_scope(env, resource, s->async_context, &callback_scope);
  napi_get_reference_value(env, s->on_message, &callback);
  static char data[MAX_DATAGRAM];
  for (int n = 0; n < MAX_PER_WAKE && !s->closed; n++) {
    struct sockaddr_in from;
    char control[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct timespec))];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
    struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t len = recvmsg(s->fd, &m, MSG_DONTWAIT);
    if (len < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // drained
      continue;  // another error (a queued ICMP error) is consumed by this read: read on
    }
    if (m.msg_flags & MSG_TRUNC) continue;
    int ifindex = 0;
    double arrival_ms = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        struct in_pktinfo info;
        memcpy(&info, CMSG_DATA(c), sizeof info);
        ifindex = info.ipi_ifindex;
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec t;
        memcpy(&t, CMSG_DATA(c), sizeof t);
        arrival_ms = (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
      }
    }
    if (arrival_ms == 0) arrival_ms = realtime_ms();  // no stamp (should not happen): now, an upper bound
    deliver(s, callback, data, (size_t)len, &from, ifindex, arrival_ms);
  }
  napi_close_callback_scope(env, callback_scope);
  napi_close_handle_scope(env, scope);
}

// open(port, address, onMessage(buffer, address, port, ifindex, arrivalMs)) -> handle
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t port;
  char address[INET_ADDRSTRLEN];
  napi_valuetype type;
  if (argc < 3 || napi_get_value_uint32(env, argv[0], &port) != napi_ok || port > 65535 || !get_string(env, argv[1], address, sizeof address) ||
      napi_typeof(env, argv[2], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "open(port, address, onMessage)");
    return NULL;
  }
  struct sockaddr_in bind_to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, address, &bind_to.sin_addr) != 1) {
    napi_throw_type_error(env, NULL, "open(): not an IPv4 address");
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1, size = SOCKET_BUFFER_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "setsockopt", err);
  }
  // A boot storm arrives all at once: large buffers (beyond the sysctl maximum when privileged).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (bind(fd, (struct sockaddr *)&bind_to, sizeof bind_to) < 0) {
    int err = errno;
    close(fd);
    char what[64];
    snprintf(what, sizeof what, "bind %s:%u", address, port);
    return throw_errno(env, what, err);
  }
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  dhcp_socket *s = calloc(1, sizeof *s);
  s->env = env;
  s->fd = fd;
  s->poll.data = s;
  if (uv_poll_init_socket(loop, &s->poll, fd) != 0) {
    close(fd);
    free(s);
    napi_throw_error(env, NULL, "uv_poll_init_socket failed");
    return NULL;
  }
  napi_create_reference(env, argv[2], 1, &s->on_message);
  napi_value name;
  napi_create_string_utf8(env, "WaltDhcpSocket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->async_context);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, s, NULL, NULL, &handle);
  return handle;
}

// localPort(handle) -> the bound port (useful when 0 was asked)
static napi_value local_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  dhcp_socket *s = argc ? get_socket(env, argv[0]) : NULL;
  if (!s) return NULL;
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (s->closed || getsockname(s->fd, (struct sockaddr *)&a, &len) < 0) a.sin_port = 0;
  napi_create_uint32(env, ntohs(a.sin_port), &out);
  return out;
}

// send(handle, buffer, address, port, ifindex) -> '' or why it failed. ifindex 0: the routing table decides.
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  dhcp_socket *s = argc == 5 ? get_socket(env, argv[0]) : NULL;
  if (!s) return NULL;
  void *data;
  size_t len;
  char address[INET_ADDRSTRLEN];
  uint32_t port;
  int32_t ifindex;
  struct sockaddr_in to = {.sin_family = AF_INET};
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || !get_string(env, argv[2], address, sizeof address) ||
      inet_pton(AF_INET, address, &to.sin_addr) != 1 || napi_get_value_uint32(env, argv[3], &port) != napi_ok || port > 65535 ||
      napi_get_value_int32(env, argv[4], &ifindex) != napi_ok || ifindex < 0) {
    napi_throw_type_error(env, NULL, "send(handle, buffer, address, port, ifindex)");
    return NULL;
  }
  if (s->closed) return errno_string(env, "send", EBADF);
  to.sin_port = htons((uint16_t)port);
  struct iovec iov = {.iov_base = data, .iov_len = len};
  char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
  memset(control, 0, sizeof control);
  struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
  if (ifindex > 0) {
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo pi = {.ipi_ifindex = ifindex};
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
  }
  if (sendmsg(s->fd, &m, MSG_DONTWAIT) < 0) return errno_string(env, "send", errno);
  return empty_string(env);
}

// setArp(handle, ip, mac (6-byte buffer), ifname) -> '' or why it failed
static napi_value set_arp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  dhcp_socket *s = argc == 4 ? get_socket(env, argv[0]) : NULL;
  if (!s) return NULL;
  struct arpreq r;
  memset(&r, 0, sizeof r);
  struct sockaddr_in *pa = (struct sockaddr_in *)&r.arp_pa;
  pa->sin_family = AF_INET;
  char address[INET_ADDRSTRLEN];
  void *mac;
  size_t mac_len;
  if (!get_string(env, argv[1], address, sizeof address) || inet_pton(AF_INET, address, &pa->sin_addr) != 1 ||
      napi_get_buffer_info(env, argv[2], &mac, &mac_len) != napi_ok || mac_len != 6 || !get_string(env, argv[3], r.arp_dev, sizeof r.arp_dev)) {
    napi_throw_type_error(env, NULL, "setArp(handle, ip, mac, ifname)");
    return NULL;
  }
  r.arp_ha.sa_family = ARPHRD_ETHER;
  memcpy(r.arp_ha.sa_data, mac, 6);
  r.arp_flags = ATF_COM;  // complete, not permanent: the kernel ages it out like any learnt entry
  if (ioctl(s->fd, SIOCSARP, &r) < 0) return errno_string(env, "SIOCSARP", errno);
  return empty_string(env);
}

static void on_closed(uv_handle_t *handle) {
  dhcp_socket *s = handle->data;
  // Here rather than in close(), which may run inside this socket's own callback scope.
  napi_handle_scope scope;
  napi_open_handle_scope(s->env, &scope);
  napi_async_destroy(s->env, s->async_context);
  napi_close_handle_scope(s->env, scope);
  close(s->fd);
  free(s);
}

// close(handle): stop polling, then release the descriptor once libuv is done with it.
static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  dhcp_socket *s = argc ? get_socket(env, argv[0]) : NULL;
  if (!s || s->closed) return NULL;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  napi_delete_reference(env, s->on_message);
  uv_close((uv_handle_t *)&s->poll, on_closed);
  return NULL;
}

// clockMs() -> CLOCK_REALTIME in ms, the clock of the arrival times given to onMessage
static napi_value clock_ms(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_double(env, realtime_ms(), &out);
  return out;
}

// interfaceIndex(name) -> the kernel's index of that interface, 0 if there is none
static napi_value interface_index(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[IF_NAMESIZE + 1];
  if (argc < 1 || !get_string(env, argv[0], name, sizeof name)) {
    napi_create_uint32(env, 0, &out);
    return out;
  }
  napi_create_uint32(env, if_nametoindex(name), &out);
  return out;
}

// interfaceName(index) -> the name of that interface, '' if there is none (for log lines)
static napi_value interface_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t index = 0;
  char name[IF_NAMESIZE + 1] = "";
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &index) != napi_ok || !index || !if_indextoname(index, name)) name[0] = 0;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
      {"setArp", NULL, set_arp, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"clockMs", NULL, clock_ms, NULL, NULL, NULL, napi_default, NULL},
      {"interfaceIndex", NULL, interface_index, NULL, NULL, NULL, napi_default, NULL},
      {"interfaceName", NULL, interface_name, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
