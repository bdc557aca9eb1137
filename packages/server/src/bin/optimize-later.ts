import { setFlagsFromString } from 'node:v8';

/**
 * V8 optimizes a function (TurboFan, on its platform threads) once it has run a given amount of
 * bytecode: the "interrupt budget", 67,584 bytes by default in Node 20. A fresh walt-server's first
 * DHCP boot storm is the first time its DHCP path runs, and at that budget V8 spent 30-50 ms of CPU
 * compiling functions that run a few hundred times per storm: a quarter of the server's CPU for 200
 * clients. Four times the budget leaves the code that runs all day optimized, a little later
 * (docs/decisions/0012-performance-on-a-busy-machine.md, fifth pass). An --interrupt-budget given to
 * node (command line or NODE_OPTIONS) wins.
 */
export const INTERRUPT_BUDGET = 4 * 67_584;

const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--interrupt[-_]budget(=|$)/.test(a));
if (!given) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
