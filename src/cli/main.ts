#!/usr/bin/env node
/**
 * The `custodian` bin. The one place that sets the process's exit code: everything below
 * returns codes (see cli.ts).
 */
import { pathToFileURL } from 'node:url';
import { runCli } from './cli.js';

// In the CJS build import.meta is empty; __filename is what locates dist/ there.
const cliUrl = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;

void runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  cliUrl,
}).then((code) => {
  process.exitCode = code;
});
