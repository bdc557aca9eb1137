// What every benchmark prints the same way: the machine's load before it starts, and per measure the
// median with its min and max over interleaved rounds (a shared machine is noisy: the median is the
// figure, the spread says how far to trust it).
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** One line: load averages (1, 5, 15 min) over the core count. */
export function loadLine() {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`;
}

/** Print the load before a bench starts (a load near or above the core count makes figures slower and wider). */
export function printLoad(what) {
  console.log(`${what}: ${loadLine()} before starting`);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** "median (min..max, n rounds)" with `digits` decimals; '-' when no sample. */
export function spread(xs, digits = 1, unit = '') {
  if (!xs.length) return '-';
  const f = (x) => x.toFixed(digits);
  return `${f(median(xs))}${unit} (${f(Math.min(...xs))}..${f(Math.max(...xs))}, n=${xs.length})`;
}

/**
 * CPU time (ms) process `pid` has run so far, all its threads (/proc/<pid>/task/<tid>/schedstat, in ns):
 * a server's cost that does not depend on how busy the rest of the machine is.
 */
export function cpuMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended */
    }
  }
  return ns / 1e6;
}

/**
 * CPU time (ms) of each thread of process `pid`, summed by thread name (/proc/<pid>/task/<tid>/comm:
 * "node" is Node's main thread, "V8 DefaultWorke" V8's platform threads (concurrent compilation and
 * GC), "libuv-worker" the thread pool...). The difference of two calls says who spent a window's CPU.
 */
export function cpuByThreadName(pid) {
  const byName = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      byName[name] = (byName[name] ?? 0) + ns / 1e6;
    } catch {
      /* the thread ended */
    }
  }
  return byName;
}

/** `after` - `before` of two cpuByThreadName() calls, as "name ms" pairs above 0.5 ms, largest first. */
export function threadCpuText(before, after) {
  return Object.entries(after)
    .map(([name, ms]) => [name, ms - (before[name] ?? 0)])
    .filter(([, ms]) => ms >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(', ');
}

/**
 * The main thread of process `pid` (/proc/<pid>/task/<pid>/schedstat), in ms: time on a CPU and time
 * runnable but waiting for one (the machine's load). Over a window, what is left of the wall time is
 * time it slept (nothing to do: waiting for requests, the disk...).
 */
export function mainThreadSchedMs(pid) {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { cpu: run / 1e6, wait: wait / 1e6 };
}

/**
 * CPU time (ms) of process `pid` from /proc/<pid>/stat: user and system time of all its threads, plus
 * that of its children that ended and were reaped (a server that forks per transfer, like in.tftpd).
 * Clock ticks of 10 ms: for runs of seconds.
 */
export function cpuWithChildrenMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}

/**
 * A cgroup-v1 cpuacct group for one server (named after WALT_TEST_NETNS_PREFIX and `name`), when the
 * machine has one: it counts the CPU of the process and of every child it forks, even children that
 * ended unreaped (in.tftpd forks a process per transfer and ignores SIGCHLD, so /proc counts none of
 * it). Undefined when cgroup v1 cpuacct is not there. remove() when the server has stopped.
 */
export function cpuGroup(name, pid) {
  const root = '/sys/fs/cgroup/cpuacct';
  const dir = `${root}/${process.env.WALT_TEST_NETNS_PREFIX ?? ''}walt-bench-${name}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
  } catch {
    return undefined;
  }
  return {
    ms: () => Number(readFileSync(`${dir}/cpuacct.usage`, 'utf8')) / 1e6,
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        /* a process is still in it: left for the next run, which reuses it */
      }
    },
  };
}
