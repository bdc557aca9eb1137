// What every benchmark prints the same way: the machine's load before it starts, and per measure the
// median with its min and max over interleaved rounds (a shared machine is noisy: the median is the
// figure, the spread says how far to trust it).
import { readdirSync, readFileSync } from 'node:fs';
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
