#!/usr/bin/env node
import { runProgram } from '../run-program.js';
import { buildWaltServerProgram } from '../walt-server-program.js';

process.exitCode = await runProgram(buildWaltServerProgram(), process.argv);
