#!/usr/bin/env node
import { runProgram } from '@walt/cli/run-program';
import { buildWaltServerProgram } from '../walt-server-program.js';

process.exitCode = await runProgram(buildWaltServerProgram(), process.argv);
