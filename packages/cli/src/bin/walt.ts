#!/usr/bin/env node
import { runProgram } from '../run-program.js';
import { waltProgramFor } from '../walt-program-for-args.js';

process.exitCode = await runProgram(await waltProgramFor(process.argv.slice(2)), process.argv);
