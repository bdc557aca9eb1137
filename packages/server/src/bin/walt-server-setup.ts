#!/usr/bin/env node
import { runProgram } from '@walt/cli/run-program';
import { buildWaltServerSetupProgram } from '../walt-server-setup-program.js';

process.exitCode = await runProgram(buildWaltServerSetupProgram(), process.argv);
