// dhcp-storm: N DHCP clients from one process, as fast as the server answers (the client must not be
// the bottleneck of a DHCP benchmark). Like udhcpc, it sends and reads raw Ethernet frames on an
// AF_PACKET socket, so the interface needs no address and a reply counts whatever its IP destination
// (broadcast, subnet broadcast or unicast to the offered address and the client's MAC). Each client:
// DISCOVER -> OFFER -> REQUEST -> ACK, retransmitting after `retry` ms; at most `concurrency` in flight.
//
// usage: dhcp-storm IFNAME COUNT CONCURRENCY MAC_BYTE [RETRY_MS] [TIMEOUT_MS] [VENDOR_CLASS]
//   Client i has MAC 02:MAC_BYTE:00:xx:xx:xx (xx: i spread over 24 bits); even clients send option 60 VENDOR_CLASS (none if empty).
// Output (stdout): one JSON object: leased, elapsedMs (first DISCOVER to last ACK), per-client
// durations (p50, p99, max in ms, DISCOVER to ACK), retransmissions, NAKs, the client's own CPU time
// (user + system, ms: it must stay small beside the storm time, or the client is the bottleneck), and
// the per-client list.
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_START, WAIT_OFFER, WAIT_ACK, LEASED, FAILED };

struct client {
  uint8_t mac[6];
  uint32_t xid;
  int state;
  double started_ms, sent_ms, done_ms;
  int retransmissions, naks;
  uint32_t offered, server_id;
};

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static uint16_t ip_checksum(const void *data, size_t len) {
  const uint16_t *p = data;
  uint32_t sum = 0;
  for (; len > 1; len -= 2) sum += *p++;
  if (len) sum += *(const uint8_t *)p;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static int sock, ifindex;
static const char *vendor_class;

/** Build and send one DISCOVER or REQUEST of client `c` (number `i`) as a broadcast frame. */
static void send_message(struct client *c, int i, int type) {
  uint8_t frame[600];
  memset(frame, 0, sizeof frame);
  struct ether_header *eth = (struct ether_header *)frame;
  memset(eth->ether_dhost, 0xff, 6);
  memcpy(eth->ether_shost, c->mac, 6);
  eth->ether_type = htons(ETHERTYPE_IP);
  struct iphdr *ip = (struct iphdr *)(frame + sizeof *eth);
  struct udphdr *udp = (struct udphdr *)((uint8_t *)ip + sizeof *ip);
  uint8_t *d = (uint8_t *)udp + sizeof *udp;
  d[0] = 1, d[1] = 1, d[2] = 6;  // BOOTREQUEST, Ethernet, hlen 6
  memcpy(d + 4, &c->xid, 4);
  memcpy(d + 28, c->mac, 6);     // chaddr
  uint8_t *o = d + 236;
  *o++ = 99, *o++ = 130, *o++ = 83, *o++ = 99;  // magic cookie
  *o++ = 53, *o++ = 1, *o++ = (uint8_t)type;
  *o++ = 61, *o++ = 7, *o++ = 1;  // client identifier: type 1 + MAC, as udhcpc sends
  memcpy(o, c->mac, 6), o += 6;
  *o++ = 57, *o++ = 2, *o++ = 0x02, *o++ = 0x40;  // max message size 576
  if (type == 3) {
    *o++ = 50, *o++ = 4, memcpy(o, &c->offered, 4), o += 4;
    *o++ = 54, *o++ = 4, memcpy(o, &c->server_id, 4), o += 4;
  }
  if (vendor_class && *vendor_class && i % 2 == 0) {
    size_t n = strlen(vendor_class);
    if (n > 200) n = 200;
    *o++ = 60, *o++ = (uint8_t)n, memcpy(o, vendor_class, n), o += n;
  }
  *o++ = 55, *o++ = 7, *o++ = 1, *o++ = 3, *o++ = 6, *o++ = 12, *o++ = 15, *o++ = 28, *o++ = 42;
  *o++ = 255;
  size_t dlen = (size_t)(o - d);
  if (dlen < 300) dlen = 300;  // BOOTP minimum
  udp->source = htons(68), udp->dest = htons(67), udp->len = htons((uint16_t)(sizeof *udp + dlen)), udp->check = 0;
  ip->version = 4, ip->ihl = 5, ip->ttl = 64, ip->protocol = IPPROTO_UDP;
  ip->tot_len = htons((uint16_t)(sizeof *ip + sizeof *udp + dlen));
  ip->saddr = 0, ip->daddr = 0xffffffff;
  ip->check = ip_checksum(ip, sizeof *ip);
  struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6, .sll_protocol = htons(ETH_P_IP)};
  memset(to.sll_addr, 0xff, 6);
  size_t len = sizeof *eth + sizeof *ip + sizeof *udp + dlen;
  while (sendto(sock, frame, len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
    if (errno != ENOBUFS && errno != EAGAIN) { perror("sendto"); exit(1); }
    usleep(50);
  }
  c->sent_ms = now_ms();
}

/** Message type and server identifier of a BOOTREPLY's options; 0 if absent or malformed. */
static int reply_type(const uint8_t *d, size_t len, uint32_t *server_id) {
  if (len < 240 || d[0] != 2 || memcmp(d + 236, "\x63\x82\x53\x63", 4) != 0) return 0;
  int type = 0;
  for (size_t i = 240; i < len && d[i] != 255;) {
    if (d[i] == 0) { i++; continue; }
    if (i + 1 >= len || i + 2 + d[i + 1] > len) return 0;
    if (d[i] == 53 && d[i + 1] == 1) type = d[i + 2];
    if (d[i] == 54 && d[i + 1] == 4) memcpy(server_id, d + i + 2, 4);
    i += 2 + d[i + 1];
  }
  return type;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: dhcp-storm IFNAME COUNT CONCURRENCY MAC_BYTE [RETRY_MS] [TIMEOUT_MS] [VENDOR_CLASS]\n");
    return 2;
  }
  int count = atoi(argv[2]), concurrency = atoi(argv[3]), mac_byte = atoi(argv[4]);
  double retry = argc > 5 ? atof(argv[5]) : 500, timeout = argc > 6 ? atof(argv[6]) : 30000;
  vendor_class = argc > 7 ? argv[7] : "";
  if (count <= 0 || count > 0xffffff || concurrency <= 0 || retry <= 0) { fprintf(stderr, "dhcp-storm: bad arguments\n"); return 2; }
  ifindex = (int)if_nametoindex(argv[1]);
  if (!ifindex) { fprintf(stderr, "dhcp-storm: no interface %s\n", argv[1]); return 2; }
  sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
  if (sock < 0) { perror("socket(AF_PACKET)"); return 1; }
  struct sockaddr_ll at = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindex};
  if (bind(sock, (struct sockaddr *)&at, sizeof at) < 0) { perror("bind"); return 1; }
  // Replies unicast to a client's MAC must be seen too: the interface does not own those MACs.
  struct packet_mreq promisc = {.mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC};
  setsockopt(sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promisc, sizeof promisc);
  int rcvbuf = 8 << 20;
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  // Drain what arrived before this run (replies to an earlier one).
  uint8_t buf[2048];
  while (recv(sock, buf, sizeof buf, MSG_DONTWAIT) > 0) {}

  struct client *clients = calloc((size_t)count, sizeof *clients);
  uint32_t salt = (uint32_t)getpid() << 20 ^ (uint32_t)now_ms();
  for (int i = 0; i < count; i++) {
    // Spread over 24 bits (a bijection: odd multiplier), as the serial numbers of real boards are not
    // 0, 1, 2...: servers that hash the MAC to pick an address (dnsmasq) would otherwise collide.
    uint32_t v = ((uint32_t)i * 0x9e3779u) & 0xffffff;
    uint8_t m[6] = {0x02, (uint8_t)mac_byte, 0, (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    memcpy(clients[i].mac, m, 6);
    clients[i].xid = htonl(salt + (uint32_t)i);
  }
  double start = now_ms(), deadline = start + timeout;
  int next = 0, in_flight = 0, finished = 0;
  while (finished < count && now_ms() < deadline) {
    while (in_flight < concurrency && next < count) {
      struct client *c = &clients[next];
      c->state = WAIT_OFFER, c->started_ms = now_ms();
      send_message(c, next++, 1);
      in_flight++;
    }
    struct pollfd p = {.fd = sock, .events = POLLIN};
    poll(&p, 1, 5);
    ssize_t n;
    while ((n = recv(sock, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
      if ((size_t)n < 14 + 20 + 8 + 240) continue;
      struct ether_header *eth = (struct ether_header *)buf;
      if (eth->ether_type != htons(ETHERTYPE_IP)) continue;
      struct iphdr *ip = (struct iphdr *)(buf + 14);
      if (ip->protocol != IPPROTO_UDP || ip->ihl < 5) continue;
      struct udphdr *udp = (struct udphdr *)(buf + 14 + ip->ihl * 4);
      if (udp->dest != htons(68)) continue;
      uint8_t *d = (uint8_t *)udp + sizeof *udp;
      size_t dlen = (size_t)n - (size_t)(d - buf);
      uint32_t xid;
      memcpy(&xid, d + 4, 4);
      int i = (int)(ntohl(xid) - salt);
      if (i < 0 || i >= count || clients[i].xid != xid || memcmp(d + 28, clients[i].mac, 6) != 0) continue;
      struct client *c = &clients[i];
      uint32_t server_id = 0;
      int type = reply_type(d, dlen, &server_id);
      if (type == 2 && c->state == WAIT_OFFER) {
        memcpy(&c->offered, d + 16, 4);
        c->server_id = server_id;
        c->state = WAIT_ACK;
        send_message(c, i, 3);
      } else if (type == 5 && c->state == WAIT_ACK) {
        c->state = LEASED, c->done_ms = now_ms();
        finished++, in_flight--;
      } else if (type == 6 && c->state == WAIT_ACK) {  // NAK: start over, as a client does
        c->state = WAIT_OFFER, c->naks++;
        send_message(c, i, 1);
      }
    }
    double t = now_ms();
    for (int i = 0; i < next; i++) {
      struct client *c = &clients[i];
      if ((c->state == WAIT_OFFER || c->state == WAIT_ACK) && t - c->sent_ms >= retry) {
        c->retransmissions++;
        send_message(c, i, c->state == WAIT_OFFER ? 1 : 3);
      }
    }
  }
  int leased = 0, retrans = 0, naks = 0;
  double last = start;
  double *times = calloc((size_t)count, sizeof *times);
  for (int i = 0; i < count; i++) {
    retrans += clients[i].retransmissions, naks += clients[i].naks;
    if (clients[i].state != LEASED) continue;
    times[leased++] = clients[i].done_ms - clients[i].started_ms;
    if (clients[i].done_ms > last) last = clients[i].done_ms;
  }
  qsort(times, (size_t)leased, sizeof *times, by_double);
#define PCT(p) (leased ? times[(int)((leased - 1) * (p))] : 0)
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  printf("{\"count\":%d,\"leased\":%d,\"elapsedMs\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,\"retransmissions\":%d,\"naks\":%d,\"clientCpuMs\":%.3f,\"clients\":[",
         count, leased, last - start, PCT(0.5), PCT(0.99), PCT(1.0), retrans, naks, cpu_ms);
  for (int i = 0; i < count; i++) {
    struct client *c = &clients[i];
    char ipbuf[16];
    inet_ntop(AF_INET, &c->offered, ipbuf, sizeof ipbuf);
    printf("%s{\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"ip\":\"%s\",\"ms\":%.3f,\"retransmissions\":%d,\"naks\":%d}", i ? "," : "",
           c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5], c->state == LEASED ? ipbuf : "",
           c->state == LEASED ? c->done_ms - c->started_ms : -1.0, c->retransmissions, c->naks);
  }
  printf("]}\n");
  return leased == count ? 0 : 3;
}
