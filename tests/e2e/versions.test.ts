// The integrations on the framework majors the package supports besides the ones in its
// devDependencies (vitest 4, jest 30 and mocha 11 run in vitest.test.ts, jest.test.ts and
// mocha.test.ts). Each tests/versions/<name> directory pins one major with its own lockfile
// (installed by `npm ci --prefix tests/versions/<name>`); the package as built is copied into its
// node_modules/custodian, so the integration resolves that directory's framework as it would in
// a user's project, and the shared fixture suite runs with that directory's own binary.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { builtPackage } from './_built.js';
import { checkAttribution, checkDisposeRun, checkMochaFailRun, EXPECTED_KIND, type ReportLine, ROOT, runSuite } from './_run.js';

type Framework = 'vitest' | 'jest' | 'mocha';

interface Version {
  /** The directory under tests/versions. */
  readonly name: string;
  readonly framework: Framework;
  readonly major: number;
}

const VERSIONS: readonly Version[] = [
  { name: 'vitest3', framework: 'vitest', major: 3 },
  { name: 'vitest5', framework: 'vitest', major: 5 },
  { name: 'jest29', framework: 'jest', major: 29 },
  { name: 'mocha10', framework: 'mocha', major: 10 },
  { name: 'mocha12', framework: 'mocha', major: 12 },
];

const RUN_LIMIT_MS = 90_000;
const TEST_TIMEOUT_MS = 120_000;

const dirOf = (version: Version) => join(ROOT, 'tests', 'versions', version.name);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** Whether `version` (x.y.z) is in `range`, for the forms engines fields use here: `^x.y.z` and `>=x.y.z` joined by `||`. */
function satisfies(range: string, version: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  return range.split('||').some((part) => {
    const match = /^\s*(\^|>=)\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (match === null) throw new Error(`unsupported engines range "${range}"`);
    const want = [Number(match[2]), Number(match[3]), Number(match[4])];
    const order = have.map((n, i) => Math.sign(n - want[i]!)).find((sign) => sign !== 0) ?? 0;
    return order >= 0 && (match[1] === '>=' || have[0] === want[0]);
  });
}

/** The framework's engines range, from the directory's lockfile (known before anything is installed). */
function enginesOf(version: Version): string {
  const lock = readJson(join(dirOf(version), 'package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> };
  return lock.packages[`node_modules/${version.framework}`]?.engines?.node ?? '*';
}

/**
 * Why `version` cannot run here: its engines exclude this Node (a skip even on CI: the platform
 * cannot run it), or its directory is not installed (a skip on a laptop, a failure on CI).
 */
function unavailable(version: Version): { skip: string } | { fail: string } | undefined {
  const engines = enginesOf(version);
  if (engines !== '*' && !satisfies(engines, process.version)) {
    return { skip: `${version.framework} ${version.major} needs Node ${engines} (its engines field); this is Node ${process.version}` };
  }
  const manifest = join(dirOf(version), 'node_modules', version.framework, 'package.json');
  const install = `npm ci --prefix tests/versions/${version.name}`;
  if (!existsSync(manifest)) {
    const message = `${version.framework} ${version.major} is not installed: run \`${install}\``;
    return process.env.CI === 'true' ? { fail: `${message} (CI=true: this test must run)` } : { skip: message };
  }
  const installed = String(readJson(manifest).version);
  if (Number(installed.split('.')[0]) !== version.major) {
    return { fail: `tests/versions/${version.name} has ${version.framework} ${installed}, not ${version.major}: run \`${install}\`` };
  }
  return undefined;
}

function requireAvailable(version: Version, context: TestContext): void {
  const reason = unavailable(version);
  if (reason === undefined) return;
  if ('fail' in reason) throw new Error(reason.fail);
  context.skip(reason.skip);
}

let built: string | undefined;

/**
 * Copies the package as built into the directory's node_modules/custodian: a real copy, not a
 * link, since Node resolves a link to its target and the integration would then find the
 * repository's framework instead of this directory's.
 */
function installCustodian(version: Version): void {
  if (built === undefined) throw new Error('the package was not built');
  const target = join(dirOf(version), 'node_modules', 'custodian');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target);
  cpSync(built, join(target, 'dist'), { recursive: true, filter: (source) => !/[\\/]\.(ready|failed)$/.test(source) });
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'));
}

beforeAll(async () => {
  // Only when something will run: building takes half a minute.
  if (VERSIONS.some((version) => unavailable(version) === undefined)) built = await builtPackage();
  for (const version of VERSIONS) if (unavailable(version) === undefined) installCustodian(version);
}, 300_000);

/** The framework's own binary in the version's directory. */
function binOf(version: Version, path: string): string {
  return join(dirOf(version), 'node_modules', version.framework, path);
}

/** What `specifier` resolves to with `require` from the version's directory, as in a project with that framework. */
function resolveIn(version: Version, specifier: string): string {
  return createRequire(join(dirOf(version), 'package.json')).resolve(specifier);
}

/** The integration the run loads must be the copy in the version's directory (a guard against resolving the repository's own). */
function expectCopy(version: Version, file: string): void {
  const copy = join(dirOf(version), 'node_modules', 'custodian', 'dist');
  expect(file.startsWith(copy), `${file} is not in ${copy}`).toBe(true);
}

function describeVitest(version: Version): void {
  const dir = dirOf(version);
  const file = `tests/versions/${version.name}/leaks.test.ts`;
  // The directory's config resolves custodian/vitest through its node_modules, and fails the
  // run when that is not the copy there.
  const args = () => [binOf(version, 'vitest.mjs'), 'run', '--config', join(dir, 'vitest.config.mjs')];
  const fullName = (name: string) => `fixture > ${name}`;
  const ofFile = (lines: ReportLine[]) => lines.filter((line) => line.file === file);

  describe(`custodian/vitest on vitest ${version.major}`, () => {
    it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      const result = await runSuite(args(), {}, RUN_LIMIT_MS);
      expect(result.output).toMatch(new RegExp(`RUN\\s+v${version.major}\\.`));
      checkDisposeRun(result, ofFile(result.lines), fullName, `custodian: ${file}: 8 leaked handles`);
    });

    it('fails the leaking tests, and only them, with ERR_LEAK_DETECTED (fail)', { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      // A file named, not stdout: vitest 5 writes the JSON report to a file of its own otherwise.
      const json = join(mkdtempSync(join(os.tmpdir(), 'custodian-versions-')), 'report.json');
      const result = await runSuite([...args(), '--reporter=json', `--outputFile=${json}`], { CUSTODIAN_LEAKS: 'fail' }, RUN_LIMIT_MS);
      expect(result.hung).toBe(false);
      expect(result.code, result.output).toBe(1);
      checkAttribution(ofFile(result.lines), fullName);
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
      };
      const results = report.testResults.flatMap((entry) => entry.assertionResults);
      expect(results.filter((test) => test.status === 'failed').map((test) => test.title).sort()).toEqual(Object.keys(EXPECTED_KIND).sort());
      expect(results.find((test) => test.title === 'leaks an interval')?.failureMessages.join('\n')).toContain('LeakDetectedError');
      const failedLines = ofFile(result.lines).filter((line) => (line as { status?: string }).status === 'failed');
      expect(failedLines.map((line) => line.name).sort()).toEqual(Object.keys(EXPECTED_KIND).map(fullName).sort());
    });
  });
}

function describeJest(version: Version): void {
  const fullName = (name: string) => `fixture ${name}`;
  const args = () => {
    // What `setupFilesAfterEnv: ['custodian/jest']` resolves to in a project with this jest.
    const setup = resolveIn(version, 'custodian/jest');
    expectCopy(version, setup);
    const root = join(ROOT, 'tests', 'e2e', 'fixtures', 'jest');
    return [binOf(version, 'bin/jest.js'), '--rootDir', root, '--testMatch', '**/*.test.cjs', '--setupFilesAfterEnv', setup, '--ci'];
  };

  describe(`custodian/jest on jest ${version.major}`, () => {
    it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      const result = await runSuite(args(), {}, RUN_LIMIT_MS);
      checkDisposeRun(result, result.lines, fullName, '8 leaked handles');
    });

    it('fails the run under fail', { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      const result = await runSuite(args(), { CUSTODIAN_LEAKS: 'fail' }, RUN_LIMIT_MS);
      expect(result.hung).toBe(false);
      expect(result.code, result.output).toBe(1);
      checkAttribution(result.lines, fullName);
      expect(result.output).toContain('LeakDetectedError');
      expect(result.output).toMatch(/Tests:\s+8 failed, 9 passed/);
    });
  });
}

function describeMocha(version: Version): void {
  const fullName = (name: string) => `fixture ${name}`;
  // `--require custodian/mocha` as a user writes it: mocha imports it from its own location,
  // which finds the copy in this directory's node_modules.
  const args = () => {
    expectCopy(version, resolveIn(version, 'custodian/mocha'));
    return [binOf(version, 'bin/mocha.js'), '--require', 'custodian/mocha', join(ROOT, 'tests', 'e2e', 'fixtures', 'mocha', 'leaks.spec.cjs')];
  };

  describe(`custodian/mocha on mocha ${version.major}`, () => {
    it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      const result = await runSuite(args(), {}, RUN_LIMIT_MS);
      checkDisposeRun(result, result.lines, fullName, 'custodian: mocha run: 8 leaked handles');
    });

    it("fails the run at the first leak under fail (a failed afterEach hook ends mocha's suite)", { timeout: TEST_TIMEOUT_MS }, async (context) => {
      requireAvailable(version, context);
      const result = await runSuite(args(), { CUSTODIAN_LEAKS: 'fail' }, RUN_LIMIT_MS);
      checkMochaFailRun(result);
    });
  });
}

const DESCRIBE: Record<Framework, (version: Version) => void> = { vitest: describeVitest, jest: describeJest, mocha: describeMocha };
for (const version of VERSIONS) DESCRIBE[version.framework](version);
