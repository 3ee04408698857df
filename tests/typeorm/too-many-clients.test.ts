import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceAvailable, eventually } from '../adapters/databases/_services.js';

const available = await serviceAvailable(POSTGRES);
const fixtures = join(import.meta.dirname, 'fixtures', 'too-many-clients');
const role = `custodian_limited_${process.pid}`;
let admin: pg.Client;
let reports: string;

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { status: string; failureMessages: string[] }[] }[];
}

/** Runs the fixture suite with one of its configs; resolves with the exit code and the JSON report. */
function runFixture(config: string): Promise<{ code: number | null; report: JsonReport }> {
  const outputFile = join(reports, `${config}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', join(fixtures, config), '--reporter=json', `--outputFile=${outputFile}`],
      { cwd: process.cwd(), env: { ...process.env, CUSTODIAN_PG_ROLE: role, CI: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport });
      } catch (error) {
        reject(new Error(`fixture ${config} left no report (exit ${code}): ${stderr.slice(-2000)}`, { cause: error }));
      }
    });
  });
}

async function roleConnections(): Promise<number> {
  const result = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [role]);
  return result.rows[0]!.n;
}

describe.skipIf(!available)('too many clients: 50 tests, a DataSource with a pool of 2 each, a role limited to 10 connections', () => {
  beforeAll(async () => {
    reports = mkdtempSync(join(tmpdir(), 'custodian-too-many-'));
    admin = new pg.Client({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', database: 'test' });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 10`);
  });

  afterAll(async () => {
    if (admin !== undefined) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await eventually(roleConnections, (n) => n === 0);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
    rmSync(reports, { recursive: true, force: true });
  });

  it("fails with the server's too-many-connections error without custodian", async () => {
    const { code, report } = await runFixture('vitest.without.config.ts');
    expect(code).not.toBe(0);
    expect(report.numFailedTests).toBeGreaterThan(0);
    const failures = report.testResults.flatMap((file) => file.assertionResults.flatMap((test) => test.failureMessages));
    // SQLSTATE 53300: too_many_connections.
    expect(failures.some((message) => message.includes('code=53300'))).toBe(true);
    expect(await eventually(roleConnections, (n) => n === 0)).toBe(0);
  });

  it('passes with trackDataSources() and a cleanup after each test', async () => {
    const { code, report } = await runFixture('vitest.with.config.ts');
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(50);
    expect(code).toBe(0);
    expect(await eventually(roleConnections, (n) => n === 0)).toBe(0);
  });
});
