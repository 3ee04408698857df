import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { isCustodianError } from '../errors.js';
import { parseArgs } from './args.js';
import { MAIN_HELP, REPORT_HELP, RUN_HELP } from './help.js';
import { renderHtml } from './html.js';
import { mergeReports, readReport } from './merge.js';
import type { Report } from './report-types.js';
import { runTests, type RunIo } from './run.js';
import { formatSummary } from './summary.js';
import { UsageError } from './usage-error.js';

/** The process-facing parts the CLI uses, injectable for tests. */
export type CliIo = Omit<RunIo, 'version'>;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function writeReports(report: Report, cwd: string, json: string | undefined, html: string | undefined): void {
  if (json !== undefined) write(resolve(cwd, json), `${JSON.stringify(report, null, 2)}\n`);
  if (html !== undefined) write(resolve(cwd, html), renderHtml(report));
}

/**
 * The whole CLI as a function: parses `argv` (without node and the script), runs the
 * command, and resolves with the exit code. It never exits the process itself: only the bin
 * entry (main.ts) turns the code into `process.exitCode`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    switch (args.kind) {
      case 'help':
        io.stdout.write(`${args.topic === 'run' ? RUN_HELP : args.topic === 'report' ? REPORT_HELP : MAIN_HELP}\n`);
        return 0;
      case 'version':
        io.stdout.write(`${packageJson.version}\n`);
        return 0;
      case 'run': {
        const report = await runTests(args, { ...io, version: packageJson.version });
        writeReports(report, io.cwd, args.json, args.html);
        io.stdout.write(`${formatSummary(report)}\n`);
        return report.exitCode;
      }
      case 'merge': {
        const report = mergeReports(args.inputs.map((input) => readReport(resolve(io.cwd, input))));
        writeReports(report, io.cwd, args.output, args.html);
        io.stdout.write(`${formatSummary(report)}\n`);
        return 0;
      }
      case 'html':
        writeReports(readReport(resolve(io.cwd, args.inputs[0]!)), io.cwd, undefined, args.output);
        return 0;
    }
  } catch (error) {
    if (error instanceof UsageError || isCustodianError(error, 'ERR_INVALID_ARGUMENT')) {
      io.stderr.write(`custodian: ${(error as Error).message}\nRun custodian --help for usage.\n`);
      return 2;
    }
    io.stderr.write(`custodian: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
