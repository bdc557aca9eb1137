#!/usr/bin/env node
import { runProgram } from '../run-program.js';
import { buildWaltServerSetupProgram } from '../walt-server-setup-program.js';

process.exitCode = await runProgram(buildWaltServerSetupProgram(), process.argv);
