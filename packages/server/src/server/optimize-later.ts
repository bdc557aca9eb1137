import { setFlagsFromString } from 'node:v8';

/**
 * V8 optimizes a function (TurboFan, on its platform threads) once it has run a given amount of
 * bytecode: the "interrupt budget", 67,584 bytes by default in Node 20. A fresh walt-server's first
 * DHCP boot storm is the first time its DHCP path runs, and at that budget V8 spent 30-50 ms of CPU
 * compiling functions that run a few hundred times per storm: a quarter of the server's CPU for 200
 * clients. Four times the budget leaves the code that runs all day optimized, a little later.
 * Set once the server is ready, not before: during start-up the larger budget cost about 110 ms of
 * CPU more per start (code run unoptimized for longer), and tests start hundreds of servers
 * (docs/decisions/0012-performance-on-a-busy-machine.md, fifth pass). V8 reads the budget each
 * time it resets a function's counter, so functions first run after this get it. An
 * --interrupt-budget given to node (command line or NODE_OPTIONS) wins.
 */
export const INTERRUPT_BUDGET = 4 * 67_584;

export function optimizeLaterFromNowOn(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--interrupt[-_]budget(=|$)/.test(a));
  if (!given) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
