#!/usr/bin/env node
import { runProgram } from '../run-program.js';
import { buildWaltProgram } from '../walt-program.js';

process.exitCode = await runProgram(buildWaltProgram(), process.argv);
