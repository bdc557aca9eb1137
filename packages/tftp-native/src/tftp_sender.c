// The sending side of TFTP read transfers (RFC 1350, options RFC 2347-2349, windowsize RFC 7440),
// in C. Node's main thread keeps everything that decides *what* is sent (request decoding, name
// checks, resolution inside the image or static root, option negotiation) and hands over an open
// descriptor or bytes, the peer and the negotiated numbers. Here: the OACK, windows of DATA
// blocks (one sendmmsg per window), ACKs, retransmission on timeout, and the report of the end.
//
// Why C: in lock-step every block is one round trip, and a round trip costs mostly wake-ups and
// system calls, not our logic. Transfers are spread over a few event threads (epoll), so under
// load a thread finds many ACKs per wake-up instead of one thread (or process, as tftpd-hpa)
// being woken per block. A thread with a single transfer busy-polls its socket for a bounded
// time after each window (the ACK of a client on the same LAN comes back in tens of
// microseconds), then sleeps; Node's event loop can do neither. The busy-poll is bounded in time
// per wait and in threads doing it at once (a core stays free), it stops while more transfers
// run than may spin, and it pauses itself when the ACKs keep coming after it gave up (a slow
// client).
#define _GNU_SOURCE
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5 };
enum { STATUS_SENT = 0, STATUS_ABORTED = 1, STATUS_FAILED = 2 };
enum { REASON_MAX = 320 };
/** Busy-poll bookkeeping: after SPIN_BATCH attempts, fewer than half answered means a pause. */
enum { SPIN_BATCH = 32, SPIN_PAUSE_WAITS = 512 };
/** Retransmissions of one window before giving up (as the JS sender). */
enum { DEFAULT_MAX_RETRIES = 6 };
/** Timeouts are checked every TICK_MS (a timeout fires up to that late: nothing next to 1 s). */
enum { TICK_MS = 50 };
enum { MAX_LOOPS = 64, EVENTS_PER_WAIT = 64 };

/** Threads busy-polling right now, and how many may (configure(); a core stays free). */
static atomic_int spinning = 0;
static atomic_int max_spinning = 1;
/** Transfers running: with more than may spin, the cores have work while a thread sleeps. */
static atomic_int active = 0;

struct loop;

typedef struct transfer {
  /* Set by send() before the transfer is queued; read-only afterwards. */
  int fd;               /* open file, or -1 when `bytes` holds the content */
  unsigned char *bytes; /* a copy of in-memory content */
  uint64_t size;
  uint32_t block_size, window_size, timeout_ms, max_retries, spin_us;
  struct sockaddr_in local, peer;
  unsigned char *oack; /* the OACK packet, or NULL for a plain RFC 1350 transfer */
  size_t oack_len;
  napi_threadsafe_function done;
  /* Shared with the main thread. */
  atomic_int cancel_claimed; /* the first cancel() writes cancel_reason, then sets cancelled */
  atomic_int cancelled;
  char cancel_reason[256];
  atomic_int refs; /* the event thread and the JS handle */
  struct loop *loop;
  /* The event thread's own. */
  struct transfer *prev, *next;
  int sock;
  uint32_t stride, slots;
  unsigned char *buf; /* `slots` packets of `stride` bytes: block b lives in slot b % slots */
  uint64_t *tags;     /* which block each slot holds (0: none; blocks count from 1) */
  uint32_t *lens;     /* payload length of the block in each slot */
  struct mmsghdr *msgs;
  struct iovec *iov;
  uint64_t total;      /* blocks in the transfer: size / block_size + 1 */
  uint64_t base;       /* first block not acknowledged */
  uint64_t window_end; /* last block sent */
  int awaiting_oack_ack;
  uint32_t retries;
  int64_t deadline_ns; /* last send + timeout */
  uint32_t spin_tries, spin_hits, spin_pause;
  int ended;
  /* The outcome, written before the report. */
  int status;
  char reason[REASON_MAX];
} transfer_t;

/** An event thread: its epoll set, a wake-up eventfd, new transfers handed over by send(). */
typedef struct loop {
  int epfd, wake_fd;
  pthread_mutex_t lock;
  transfer_t *incoming; /* under lock */
  atomic_int pending;   /* set when incoming or a cancel needs looking at */
  atomic_int cancels;   /* set by cancel(): some transfer of this loop is cancelled */
  atomic_int count;     /* transfers owned (queued or running): the least busy loop gets the next */
  transfer_t *running;  /* the thread's list */
  int running_count;
} loop_t;

static loop_t loops[MAX_LOOPS];
static int loop_count = 0;
static int wanted_loops = 0; /* configure(); 0: not set (one per core, at most 4) */
static pthread_mutex_t loops_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void transfer_free(transfer_t *t) {
  free(t->bytes);
  free(t->oack);
  free(t->buf);
  free(t->tags);
  free(t->lens);
  free(t->msgs);
  free(t->iov);
  free(t);
}

static void transfer_unref(transfer_t *t) {
  if (atomic_fetch_sub(&t->refs, 1) == 1) transfer_free(t);
}

/** Record how the transfer ends (first call wins); the event thread reports it. */
static void end(transfer_t *t, int status, const char *fmt, ...) {
  if (t->ended) return;
  t->ended = 1;
  t->status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->reason, sizeof t->reason, fmt, ap);
  va_end(ap);
}

/** Send a TFTP ERROR packet (best effort: the transfer is ending anyway). */
static void send_error(transfer_t *t, uint16_t code, const char *message) {
  unsigned char pkt[300];
  size_t len = strnlen(message, 250);
  pkt[0] = 0;
  pkt[1] = OP_ERROR;
  pkt[2] = (unsigned char)(code >> 8);
  pkt[3] = (unsigned char)code;
  memcpy(pkt + 4, message, len);
  pkt[4 + len] = 0;
  (void)send(t->sock, pkt, len + 5, MSG_DONTWAIT);
}

/** The DATA packet of block `b` in its slot, read (or copied) unless the slot already holds it. */
static unsigned char *load_block(transfer_t *t, uint64_t b, uint32_t *packet_len) {
  uint32_t slot = (uint32_t)(b % t->slots);
  unsigned char *p = t->buf + (size_t)slot * t->stride;
  if (t->tags[slot] != b) {
    uint64_t off = (b - 1) * t->block_size;
    uint32_t len = off >= t->size ? 0 : (uint32_t)(t->size - off < t->block_size ? t->size - off : t->block_size);
    p[0] = 0;
    p[1] = OP_DATA;
    p[2] = (unsigned char)((b >> 8) & 0xff);
    p[3] = (unsigned char)(b & 0xff);
    if (t->bytes) {
      memcpy(p + 4, t->bytes + off, len);
    } else {
      uint32_t got = 0;
      while (got < len) {
        ssize_t n = pread(t->fd, p + 4 + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          /* Not end(): a read ahead may fail without ending the transfer; the caller decides. */
          snprintf(t->reason, sizeof t->reason, "read error: %s", n < 0 ? strerror(errno) : "file shrank while being sent");
          return NULL;
        }
        got += (uint32_t)n;
      }
    }
    t->tags[slot] = b;
    t->lens[slot] = len;
  }
  *packet_len = t->lens[slot] + 4;
  return p;
}

/** Send the first `n` prepared messages; a full queue drops them (the retransmission recovers). */
static void send_packets(transfer_t *t, unsigned int n) {
  unsigned int sent = 0;
  while (sent < n) {
    int r = sendmmsg(t->sock, t->msgs + sent, n - sent, 0);
    if (r >= 0) {
      sent += (unsigned int)r;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
    if (errno == ECONNREFUSED) end(t, STATUS_ABORTED, "client went away");
    else end(t, STATUS_FAILED, "socket error: %s", strerror(errno));
    return;
  }
  t->deadline_ns = now_ns() + (int64_t)t->timeout_ms * 1000000;
}

static void send_oack(transfer_t *t) {
  t->iov[0].iov_base = t->oack;
  t->iov[0].iov_len = t->oack_len;
  t->msgs[0].msg_hdr.msg_iov = &t->iov[0];
  t->msgs[0].msg_hdr.msg_iovlen = 1;
  send_packets(t, 1);
}

/** Send blocks [base, base + window - 1], then read the next window ahead while the ACK travels. */
static void send_window(transfer_t *t) {
  uint64_t first = t->base;
  uint64_t last = first + t->window_size - 1;
  if (last > t->total) last = t->total;
  unsigned int n = 0;
  for (uint64_t b = first; b <= last; b++, n++) {
    uint32_t len;
    unsigned char *p = load_block(t, b, &len);
    if (!p) {
      send_error(t, 0, "Read error");
      char reason[REASON_MAX];
      memcpy(reason, t->reason, sizeof reason);
      end(t, STATUS_FAILED, "%s", reason);
      return;
    }
    t->iov[n].iov_base = p;
    t->iov[n].iov_len = len;
    t->msgs[n].msg_hdr.msg_iov = &t->iov[n];
    t->msgs[n].msg_hdr.msg_iovlen = 1;
  }
  t->window_end = last;
  send_packets(t, n);
  if (t->ended) return;
  uint64_t ahead = last + t->window_size;
  if (ahead > t->total) ahead = t->total;
  for (uint64_t b = last + 1; b <= ahead; b++) {
    uint32_t len;
    if (!load_block(t, b, &len)) break; /* reported when the block is really needed */
  }
}

static void resend(transfer_t *t) {
  if (t->awaiting_oack_ack) send_oack(t);
  else send_window(t);
}

/** The client's ERROR message, printable ASCII only, for the log line. */
static void client_error(transfer_t *t, const unsigned char *pkt, ssize_t len) {
  char message[200];
  size_t m = 0;
  for (ssize_t i = 4; i < len && pkt[i] != 0 && m < sizeof message - 1; i++) message[m++] = (pkt[i] >= 0x20 && pkt[i] < 0x7f) ? (char)pkt[i] : '?';
  message[m] = 0;
  unsigned code = ((unsigned)pkt[2] << 8) | pkt[3];
  if (m) end(t, STATUS_ABORTED, "client error %u (%s)", code, message);
  else end(t, STATUS_ABORTED, "client error %u", code);
}

/** One datagram from the client (the socket is connected: nobody else's arrive). */
static void on_packet(transfer_t *t, const unsigned char *pkt, ssize_t n) {
  if (n < 4) return;
  unsigned opcode = ((unsigned)pkt[0] << 8) | pkt[1];
  if (opcode == OP_ERROR) {
    client_error(t, pkt, n);
    return;
  }
  if (opcode != OP_ACK) {
    send_error(t, 4, "Illegal TFTP operation");
    end(t, STATUS_FAILED, "unexpected packet (opcode %u) from the client", opcode);
    return;
  }
  uint16_t block = (uint16_t)(((unsigned)pkt[2] << 8) | pkt[3]);
  if (t->awaiting_oack_ack) {
    if (block != 0) return;
    t->awaiting_oack_ack = 0;
    t->retries = 0;
    send_window(t);
    return;
  }
  /* Map the 16-bit number onto the window in flight; anything else is stale or bogus (no
     Sorcerer's Apprentice: a duplicate ACK sends nothing). Block numbers roll over to 0. */
  uint16_t offset = (uint16_t)(block - (uint16_t)((t->base - 1) & 0xffff));
  uint64_t acked = t->base - 1 + offset;
  if (offset == 0 || acked > t->window_end) return;
  t->base = acked + 1;
  t->retries = 0;
  if (acked >= t->total) {
    end(t, STATUS_SENT, "");
    return;
  }
  send_window(t);
}

/** A socket error from recv: ICMP port unreachable means the client is gone. */
static void on_socket_error(transfer_t *t, int err) {
  if (err == ECONNREFUSED) end(t, STATUS_ABORTED, "client went away");
  else end(t, STATUS_FAILED, "socket error: %s", strerror(err));
}

/** Read every datagram waiting on the socket. */
static void drain(transfer_t *t) {
  unsigned char pkt[1024];
  while (!t->ended) {
    ssize_t n = recv(t->sock, pkt, sizeof pkt, MSG_DONTWAIT);
    if (n >= 0) {
      on_packet(t, pkt, n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) on_socket_error(t, errno);
    return;
  }
}

static int is_cancelled(transfer_t *t) {
  return atomic_load_explicit(&t->cancelled, memory_order_acquire);
}

/**
 * Busy-poll the lone transfer of a thread for its next datagrams, as long as each comes within
 * spin_us; returns when one does not (the thread then sleeps in epoll), or new work arrives.
 */
static void spin(loop_t *loop, transfer_t *t) {
  unsigned char pkt[1024];
  while (!t->ended && t->spin_us > 0) {
    /* Past the deadline the event loop takes over (retransmission): a client flooding useless
       datagrams must not keep the thread here. */
    if (now_ns() >= t->deadline_ns) return;
    if (t->spin_pause > 0) {
      t->spin_pause--;
      return;
    }
    if (atomic_load(&active) > atomic_load(&max_spinning)) return;
    if (atomic_fetch_add(&spinning, 1) >= atomic_load(&max_spinning)) {
      atomic_fetch_sub(&spinning, 1);
      return;
    }
    int64_t until = now_ns() + (int64_t)t->spin_us * 1000;
    if (until > t->deadline_ns) until = t->deadline_ns;
    ssize_t n;
    int err = 0;
    do {
      n = recv(t->sock, pkt, sizeof pkt, MSG_DONTWAIT);
      if (n >= 0) break;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        err = errno;
        break;
      }
      if (is_cancelled(t) || atomic_load_explicit(&loop->pending, memory_order_relaxed)) break;
    } while (now_ns() < until);
    atomic_fetch_sub(&spinning, 1);
    t->spin_tries++;
    if (n >= 0) t->spin_hits++;
    if (t->spin_tries == SPIN_BATCH) {
      if (t->spin_hits < SPIN_BATCH / 2) t->spin_pause = SPIN_PAUSE_WAITS;
      t->spin_tries = t->spin_hits = 0;
    }
    if (err) on_socket_error(t, err);
    if (n < 0) return;
    on_packet(t, pkt, n);
  }
}

/** Set up a transfer handed over by send(): buffers, its socket (bound, connected), first packet. */
static void start(loop_t *loop, transfer_t *t) {
  t->sock = -1;
  t->total = t->size / t->block_size + 1;
  t->base = 1;
  t->stride = t->block_size + 4;
  t->slots = 2 * t->window_size;
  t->buf = malloc((size_t)t->slots * t->stride);
  t->tags = calloc(t->slots, sizeof *t->tags);
  t->lens = calloc(t->slots, sizeof *t->lens);
  t->msgs = calloc(t->window_size, sizeof *t->msgs);
  t->iov = calloc(t->window_size, sizeof *t->iov);
  t->awaiting_oack_ack = t->oack != NULL;
  if (!t->buf || !t->tags || !t->lens || !t->msgs || !t->iov) {
    end(t, STATUS_FAILED, "out of memory for the transfer buffers");
  } else if ((t->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 || bind(t->sock, (struct sockaddr *)&t->local, sizeof t->local) < 0) {
    end(t, STATUS_FAILED, "socket error: %s", strerror(errno));
  } else if (connect(t->sock, (struct sockaddr *)&t->peer, sizeof t->peer) < 0) {
    /* Connected: the kernel drops datagrams from anyone but the client, and sends need no address. */
    end(t, STATUS_FAILED, "cannot reach the client: %s", strerror(errno));
  } else if (is_cancelled(t)) {
    end(t, STATUS_FAILED, "%s", t->cancel_reason);
  } else {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, t->sock, &ev) < 0) end(t, STATUS_FAILED, "socket error: %s", strerror(errno));
    else resend(t);
  }
}

/** Report the end to JavaScript and forget the transfer. No read of its descriptor comes after. */
static void finish(loop_t *loop, transfer_t *t) {
  if (t->sock >= 0) {
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, t->sock, NULL);
    close(t->sock);
    t->sock = -1;
  }
  if (t->prev) t->prev->next = t->next;
  else if (loop->running == t) loop->running = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = t->next = NULL;
  loop->running_count--;
  atomic_fetch_sub(&loop->count, 1);
  atomic_fetch_sub(&active, 1);
  /* Once queued, the report may free `t` on the main thread at any moment: keep the handle apart. */
  napi_threadsafe_function done = t->done;
  if (napi_call_threadsafe_function(done, t, napi_tsfn_blocking) != napi_ok) transfer_unref(t);
  napi_release_threadsafe_function(done, napi_tsfn_release);
}

/** New transfers and cancels: adopt the queued ones, end the cancelled ones. */
static void take_pending(loop_t *loop) {
  uint64_t counter;
  while (read(loop->wake_fd, &counter, sizeof counter) > 0) {
  }
  atomic_store(&loop->pending, 0);
  pthread_mutex_lock(&loop->lock);
  transfer_t *queue = loop->incoming;
  loop->incoming = NULL;
  pthread_mutex_unlock(&loop->lock);
  while (queue) {
    transfer_t *t = queue;
    queue = t->next;
    t->prev = NULL;
    t->next = loop->running;
    if (loop->running) loop->running->prev = t;
    loop->running = t;
    loop->running_count++;
    start(loop, t);
    if (t->ended) finish(loop, t);
  }
  /* Only a cancel() makes the whole list worth a look. */
  if (!atomic_exchange(&loop->cancels, 0)) return;
  for (transfer_t *t = loop->running, *next; t; t = next) {
    next = t->next;
    if (is_cancelled(t)) {
      send_error(t, 0, t->cancel_reason);
      end(t, STATUS_FAILED, "%s", t->cancel_reason);
      finish(loop, t);
    }
  }
}

/** Retransmit what timed out; give up after max_retries. */
static void check_timeouts(loop_t *loop, int64_t now) {
  for (transfer_t *t = loop->running, *next; t; t = next) {
    next = t->next;
    if (!t->ended && now >= t->deadline_ns) {
      if (++t->retries > t->max_retries) end(t, STATUS_FAILED, "timed out waiting for the client");
      else resend(t);
    }
    if (t->ended) finish(loop, t);
  }
}

static void *loop_thread(void *arg) {
  loop_t *loop = arg;
  struct epoll_event events[EVENTS_PER_WAIT];
  int64_t next_tick = now_ns() + (int64_t)TICK_MS * 1000000;
  for (;;) {
    int64_t wait_ms = (next_tick - now_ns() + 999999) / 1000000;
    /* A thread without transfers has no timeout to check: it sleeps until send() wakes it (the
       eventfd), so idle threads cost no wake-ups, however many there are. */
    int timeout = loop->running_count == 0 ? -1 : wait_ms < 0 ? 0 : (int)wait_ms;
    int n = epoll_wait(loop->epfd, events, EVENTS_PER_WAIT, timeout);
    for (int i = 0; i < n; i++) {
      transfer_t *t = events[i].data.ptr;
      if (!t) continue; /* the wake-up eventfd: handled below */
      /* epoll reports a socket once per wait, so a transfer finished here is not seen again. */
      drain(t);
      if (t->ended) finish(loop, t);
    }
    if (atomic_load(&loop->pending)) take_pending(loop);
    if (loop->running_count == 1) {
      spin(loop, loop->running);
      if (loop->running->ended) finish(loop, loop->running);
    }
    int64_t now = now_ns();
    if (now >= next_tick) {
      check_timeouts(loop, now);
      next_tick = now + (int64_t)TICK_MS * 1000000;
    }
  }
  return NULL;
}

/** Start the event threads once; 0 when they could not start. */
static int ensure_loops(char *why, size_t why_len) {
  pthread_mutex_lock(&loops_lock);
  if (loop_count == 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int want = wanted_loops > 0 ? wanted_loops : (int)(cores < 1 ? 1 : cores > 4 ? 4 : cores);
    for (int i = 0; i < want; i++) {
      loop_t *loop = &loops[loop_count];
      memset(loop, 0, sizeof *loop);
      loop->epfd = epoll_create1(EPOLL_CLOEXEC);
      loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
      pthread_attr_t attr;
      pthread_t thread;
      int err = loop->epfd < 0 || loop->wake_fd < 0 ? errno : epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wake_fd, &ev) < 0 ? errno : 0;
      if (!err) {
        pthread_mutex_init(&loop->lock, NULL);
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        err = pthread_create(&thread, &attr, loop_thread, loop);
        pthread_attr_destroy(&attr);
      }
      if (err) {
        if (loop->epfd >= 0) close(loop->epfd);
        if (loop->wake_fd >= 0) close(loop->wake_fd);
        snprintf(why, why_len, "cannot start a TFTP sender thread: %s", strerror(err));
        break;
      }
      loop_count++;
    }
  }
  int ok = loop_count > 0;
  if (!ok && !why[0]) snprintf(why, why_len, "cannot start a TFTP sender thread");
  pthread_mutex_unlock(&loops_lock);
  return ok;
}

/** Hand a transfer to the least busy event thread. */
static void enqueue(transfer_t *t) {
  loop_t *best = &loops[0];
  for (int i = 1; i < loop_count; i++)
    if (atomic_load(&loops[i].count) < atomic_load(&best->count)) best = &loops[i];
  t->loop = best;
  atomic_fetch_add(&best->count, 1);
  atomic_fetch_add(&active, 1);
  pthread_mutex_lock(&best->lock);
  t->next = best->incoming;
  best->incoming = t;
  pthread_mutex_unlock(&best->lock);
  atomic_store(&best->pending, 1);
  uint64_t one = 1;
  (void)!write(best->wake_fd, &one, sizeof one);
}

/* ---- The JavaScript side: send(options, onEnd) -> handle, cancel(handle, reason), configure(). ---- */

static const char *STATUS_NAMES[] = {"sent", "aborted", "failed"};

static void report_outcome(napi_env env, napi_value on_end, void *context, void *data) {
  (void)context;
  transfer_t *t = data;
  if (env && on_end) {
    napi_value result, value, undefined;
    napi_create_object(env, &result);
    napi_create_string_utf8(env, STATUS_NAMES[t->status], NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "status", value);
    napi_create_string_utf8(env, t->reason, NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "reason", value);
    napi_get_undefined(env, &undefined);
    if (napi_call_function(env, undefined, on_end, 1, &result, NULL) != napi_ok) {
      /* The wrapper catches everything; never let an exception escape into the event loop. */
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
  transfer_unref(t);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  transfer_unref(data);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/** A named number property; `*ok` is cleared when it is missing or out of [min, max]. */
static double number_property(napi_env env, napi_value obj, const char *name, double min, double max, double dflt, int *ok) {
  napi_value v;
  napi_valuetype type;
  double d;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok) {
    *ok = 0;
    return 0;
  }
  if (type == napi_undefined) return dflt;
  if (type != napi_number || napi_get_value_double(env, v, &d) != napi_ok || !(d >= min && d <= max) || d != (double)(int64_t)d) {
    *ok = 0;
    return 0;
  }
  return d;
}

/** A named IPv4 address property (or `dflt` when absent, if dflt is not NULL). */
static int address_property(napi_env env, napi_value obj, const char *name, const char *dflt, struct in_addr *out) {
  napi_value v;
  napi_valuetype type;
  char text[64];
  size_t len;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined && dflt) return inet_pton(AF_INET, dflt, out) == 1;
  if (type != napi_string || napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok || len >= sizeof text - 1) return 0;
  return inet_pton(AF_INET, text, out) == 1;
}

/** A named Uint8Array property copied to the C heap; 1 absent, 2 copied, 0 bad. */
static int bytes_property(napi_env env, napi_value obj, const char *name, unsigned char **out, size_t *out_len) {
  napi_value v;
  napi_valuetype type;
  bool is_typed;
  *out = NULL;
  *out_len = 0;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_undefined) return 1;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return 0;
  napi_typedarray_type kind;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &kind, &length, &data, NULL, NULL) != napi_ok || kind != napi_uint8_array) return 0;
  *out = malloc(length ? length : 1);
  if (!*out) return 0;
  if (length) memcpy(*out, data, length);
  *out_len = length;
  return 2;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype t0, t1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_type(env, "send(options, onEnd): two arguments expected");
  napi_typeof(env, argv[0], &t0);
  napi_typeof(env, argv[1], &t1);
  if (t0 != napi_object || t1 != napi_function) return throw_type(env, "send(options, onEnd): an object and a function expected");
  transfer_t *t = calloc(1, sizeof *t);
  if (!t) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  int ok = 1;
  t->fd = (int)number_property(env, argv[0], "fd", -1, 2147483647, -1, &ok);
  double size = number_property(env, argv[0], "size", 0, 9007199254740991.0, -1, &ok);
  if (size < 0) ok = 0;
  t->size = (uint64_t)size;
  t->block_size = (uint32_t)number_property(env, argv[0], "blockSize", 8, 65464, 512, &ok);
  t->window_size = (uint32_t)number_property(env, argv[0], "windowSize", 1, 65535, 1, &ok);
  t->timeout_ms = (uint32_t)number_property(env, argv[0], "timeoutMs", 1, 255000, 1000, &ok);
  t->max_retries = (uint32_t)number_property(env, argv[0], "maxRetries", 0, 1000, DEFAULT_MAX_RETRIES, &ok);
  t->spin_us = (uint32_t)number_property(env, argv[0], "spinMicros", 0, 10000, 0, &ok);
  double peer_port = number_property(env, argv[0], "peerPort", 1, 65535, -1, &ok);
  if (!ok) {
    transfer_free(t);
    return throw_type(env, "send: fd, size, blockSize, windowSize, timeoutMs, maxRetries, spinMicros and peerPort must be whole numbers in range");
  }
  t->local.sin_family = t->peer.sin_family = AF_INET;
  t->peer.sin_port = htons((uint16_t)peer_port);
  if (!address_property(env, argv[0], "localAddress", "0.0.0.0", &t->local.sin_addr) || !address_property(env, argv[0], "peerAddress", NULL, &t->peer.sin_addr)) {
    transfer_free(t);
    return throw_type(env, "send: localAddress and peerAddress must be IPv4 addresses");
  }
  size_t bytes_len = 0;
  int bytes = bytes_property(env, argv[0], "bytes", &t->bytes, &bytes_len);
  int oack = bytes_property(env, argv[0], "oack", &t->oack, &t->oack_len);
  if (!bytes || !oack || (bytes == 2 && bytes_len < t->size) || (bytes == 1 && t->fd < 0) || (oack == 2 && (t->oack_len < 2 || t->oack_len > 65000))) {
    transfer_free(t);
    return throw_type(env, "send: give an open fd or bytes covering size, and oack (if any) as a Uint8Array");
  }
  napi_value name;
  napi_create_string_utf8(env, "walt-tftp-transfer", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, NULL, report_outcome, &t->done) != napi_ok) {
    transfer_free(t);
    napi_throw_error(env, NULL, "cannot create the transfer's completion callback");
    return NULL;
  }
  char why[160] = "";
  if (!ensure_loops(why, sizeof why)) {
    napi_release_threadsafe_function(t->done, napi_tsfn_abort);
    transfer_free(t);
    napi_throw_error(env, NULL, why);
    return NULL;
  }
  atomic_init(&t->refs, 2);
  enqueue(t);
  napi_value handle;
  if (napi_create_external(env, t, handle_finalize, NULL, &handle) != napi_ok) {
    transfer_unref(t);
    return NULL;
  }
  return handle;
}

static napi_value js_cancel(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_valuetype type;
  void *data;
  char reason[256];
  size_t len;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_type(env, "cancel(handle, reason): two arguments expected");
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external || napi_get_value_external(env, argv[0], &data) != napi_ok) return throw_type(env, "cancel: not a transfer handle");
  if (napi_get_value_string_utf8(env, argv[1], reason, sizeof reason, &len) != napi_ok) return throw_type(env, "cancel: reason must be a string");
  transfer_t *t = data;
  if (atomic_exchange(&t->cancel_claimed, 1) == 0) {
    memcpy(t->cancel_reason, reason, len + 1);
    atomic_store_explicit(&t->cancelled, 1, memory_order_release);
    atomic_store(&t->loop->cancels, 1);
    atomic_store(&t->loop->pending, 1);
    uint64_t one = 1;
    (void)!write(t->loop->wake_fd, &one, sizeof one);
  }
  return NULL;
}

static napi_value js_configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_object) {
    return throw_type(env, "configure({ maxSpinning, threads }): an object expected");
  }
  int ok = 1;
  double max = number_property(env, argv[0], "maxSpinning", 0, 1024, atomic_load(&max_spinning), &ok);
  double threads = number_property(env, argv[0], "threads", 0, MAX_LOOPS, 0, &ok);
  if (!ok) return throw_type(env, "configure: maxSpinning (0 to 1024) and threads (0 to 64) must be whole numbers");
  atomic_store(&max_spinning, (int)max);
  /* The event threads start with the first transfer; later, their number stays. */
  pthread_mutex_lock(&loops_lock);
  if (threads > 0 && loop_count == 0) wanted_loops = (int)threads;
  pthread_mutex_unlock(&loops_lock);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"cancel", NULL, js_cancel, NULL, NULL, NULL, napi_default, NULL},
      {"configure", NULL, js_configure, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
