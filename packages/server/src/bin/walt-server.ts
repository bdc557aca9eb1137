#!/usr/bin/env node
import { journalErrorWriter } from '@walt/core';
import { runProgram } from '@walt/cli/run-program';
import { buildWaltServerProgram } from '../walt-server-program.js';

// Under systemd, stderr lines reach the journal as errors (priority 3), not as info.
const stderrWrite = process.stderr.write.bind(process.stderr) as (text: string) => boolean;
const toJournal = journalErrorWriter(stderrWrite);
if (toJournal) process.stderr.write = ((chunk: string | Uint8Array) => toJournal(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())) as typeof process.stderr.write;

process.exitCode = await runProgram(buildWaltServerProgram(), process.argv);
