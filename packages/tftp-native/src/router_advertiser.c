// WalT's answer to IPv6 router solicitations on walt-net: "there is no IPv6 router here".
//
// A PXE ROM or loader built from iPXE configures its NIC with every configurator at once (DHCP and
// IPv6) and waits until all of them are done. The IPv6 one sends router solicitations and gives up
// only after ~16 s without an answer: on a walt-net with no IPv6 router, each PXE boot waits that
// long. An advertisement with no prefix, flags M and O clear and a router lifetime of 0 ends that
// configurator at once (no address, no default router, no DHCPv6), which is what a real network
// without IPv6 routing says.
//
// Node has no raw sockets: this is a raw ICMPv6 socket bound to walt-net's interface, filtered to
// router solicitations, polled on Node's event loop (uv_poll). Each solicitation is answered here
// (to all-nodes, hop limit 255 as RFC 4861 asks), then reported to a JavaScript callback
// (source address, '' or why the answer could not be sent) for the server's log.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

// Solicitations handled per wake-up before giving the event loop back.
#define MAX_PER_WAKE 32

typedef struct {
  napi_env env;
  int fd;
  int closed;
  unsigned ifindex;
  char ifname[IF_NAMESIZE + 1];
  uv_poll_t poll;
  napi_ref on_solicitation;
  napi_async_context async_context;
} router_advertiser;

static void describe_errno(char *out, size_t size, const char *what, int err) {
  const char *name = strerrorname_np(err);
  snprintf(out, size, "%s: %s (%s)", what, strerror(err), name ? name : "?");
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  describe_errno(message, sizeof message, what, err);
  napi_throw_error(env, strerrorname_np(err), message);
  return NULL;
}

// The advertisement: M=O=0, router lifetime 0 (not a default router), reachable time and
// retransmission timer 0 (unspecified: the hosts keep their own), no prefix; only the source
// link-layer address option (RFC 4861 4.2: spares the hosts a neighbour solicitation).
static int send_advertisement(router_advertiser *a) {
  struct {
    struct nd_router_advert ra;
    struct nd_opt_hdr slla;
    unsigned char mac[6];
  } __attribute__((packed)) packet;
  memset(&packet, 0, sizeof packet);
  // Read at each answer: a bridge's MAC changes as ports join and leave.
  struct ifreq hw;
  memset(&hw, 0, sizeof hw);
  memcpy(hw.ifr_name, a->ifname, sizeof a->ifname < sizeof hw.ifr_name ? sizeof a->ifname : sizeof hw.ifr_name);
  if (ioctl(a->fd, SIOCGIFHWADDR, &hw) < 0) return errno;
  packet.ra.nd_ra_type = ND_ROUTER_ADVERT;
  packet.ra.nd_ra_code = 0;  // the kernel fills in the checksum of a raw ICMPv6 socket
  packet.slla.nd_opt_type = ND_OPT_SOURCE_LINKADDR;
  packet.slla.nd_opt_len = 1;  // in units of 8 bytes: type, length and the 6-byte MAC
  memcpy(packet.mac, hw.ifr_hwaddr.sa_data, sizeof packet.mac);
  struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_scope_id = a->ifindex};
  inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
  if (sendto(a->fd, &packet, sizeof packet, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to) < 0) return errno;
  return 0;
}

static void report(router_advertiser *a, napi_value callback, const struct sockaddr_in6 *from, int send_error) {
  napi_env env = a->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  char address[INET6_ADDRSTRLEN] = "";
  char error[256] = "";
  inet_ntop(AF_INET6, &from->sin6_addr, address, sizeof address);
  if (send_error) describe_errno(error, sizeof error, "advertisement to ff02::1", send_error);
  napi_value argv[2], global, result;
  napi_create_string_utf8(env, address, NAPI_AUTO_LENGTH, &argv[0]);
  napi_create_string_utf8(env, error, NAPI_AUTO_LENGTH, &argv[1]);
  napi_get_global(env, &global);
  if (napi_call_function(env, global, callback, 2, argv, &result) == napi_pending_exception) {
    napi_value ignored;  // the JavaScript side guards its handler: a log failure never stops the answers
    napi_get_and_clear_last_exception(env, &ignored);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  (void)status;
  router_advertiser *a = poll->data;
  if (a->closed) return;
  napi_env env = a->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value resource, callback;
  napi_create_object(env, &resource);
  napi_callback_scope callback_scope;
  napi_open_callback_scope(env, resource, a->async_context, &callback_scope);
  napi_get_reference_value(env, a->on_solicitation, &callback);
  for (int n = 0; n < MAX_PER_WAKE && !a->closed; n++) {
    unsigned char data[1500];
    struct sockaddr_in6 from;
    socklen_t from_len = sizeof from;
    ssize_t len = recvfrom(a->fd, data, sizeof data, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
    if (len < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      continue;
    }
    // RFC 4861 6.1.1: ICMP code 0, at least the 8-byte header (the filter already kept type 133 only).
    if (len < (ssize_t)sizeof(struct nd_router_solicit) || data[1] != 0) continue;
    report(a, callback, &from, send_advertisement(a));
  }
  napi_close_callback_scope(env, callback_scope);
  napi_close_handle_scope(env, scope);
}

// open(ifname, onSolicitation(sourceAddress, sendError)) -> handle
static napi_value open_advertiser(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char ifname[IF_NAMESIZE + 1];
  size_t len;
  napi_valuetype type;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok || len == 0 || len >= IF_NAMESIZE ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "open(ifname, onSolicitation)");
    return NULL;
  }
  unsigned ifindex = if_nametoindex(ifname);
  if (!ifindex) return throw_errno(env, ifname, errno);
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) return throw_errno(env, "socket(AF_INET6, SOCK_RAW, ICMPv6)", errno);
  struct icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
  int hops = 255;  // RFC 4861: hosts drop neighbour discovery packets that crossed a router
  struct ipv6_mreq all_routers = {.ipv6mr_interface = ifindex};
  inet_pton(AF_INET6, "ff02::2", &all_routers.ipv6mr_multiaddr);
  const char *step = NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) step = "SO_BINDTODEVICE";
  else if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0) step = "ICMP6_FILTER";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0) step = "IPV6_MULTICAST_HOPS";
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0) step = "IPV6_MULTICAST_IF";
  // Solicitations go to all-routers, a group a host that does not forward has not joined.
  else if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &all_routers, sizeof all_routers) < 0) step = "IPV6_JOIN_GROUP ff02::2";
  if (step) {
    int err = errno;
    close(fd);
    char what[96];
    snprintf(what, sizeof what, "%s on %s", step, ifname);
    return throw_errno(env, what, err);
  }
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  router_advertiser *a = calloc(1, sizeof *a);
  a->env = env;
  a->fd = fd;
  a->ifindex = ifindex;
  memcpy(a->ifname, ifname, sizeof a->ifname);
  a->poll.data = a;
  if (uv_poll_init_socket(loop, &a->poll, fd) != 0) {
    close(fd);
    free(a);
    napi_throw_error(env, NULL, "uv_poll_init_socket failed");
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &a->on_solicitation);
  napi_value name;
  napi_create_string_utf8(env, "WaltRouterAdvertiser", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &a->async_context);
  uv_poll_start(&a->poll, UV_READABLE, on_readable);
  napi_value handle;
  napi_create_external(env, a, NULL, NULL, &handle);
  return handle;
}

static void on_closed(uv_handle_t *handle) {
  router_advertiser *a = handle->data;
  napi_handle_scope scope;
  napi_open_handle_scope(a->env, &scope);
  napi_async_destroy(a->env, a->async_context);
  napi_close_handle_scope(a->env, scope);
  close(a->fd);
  free(a);
}

// close(handle): stop answering, release the socket once libuv is done with it.
static napi_value close_advertiser(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  router_advertiser *a = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], (void **)&a) != napi_ok || !a) {
    napi_throw_type_error(env, NULL, "not a router advertiser handle");
    return NULL;
  }
  if (a->closed) return NULL;
  a->closed = 1;
  uv_poll_stop(&a->poll);
  napi_delete_reference(env, a->on_solicitation);
  uv_close((uv_handle_t *)&a->poll, on_closed);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_advertiser, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_advertiser, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
