import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, type BuiltCli } from './_cli.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
// On CI a missing browser is a failure, not a skip.
const skipReason = CHROMIUM === undefined && process.env.CI !== 'true' ? 'chromium is not installed (apt-get install chromium)' : undefined;

let built: BuiltCli;
let dir: string;

beforeAll(async () => {
  built = await builtCli();
  dir = mkdtempSync(join(tmpdir(), 'custodian-cli-html-'));
}, 300_000);

function chromium(args: readonly string[]): string {
  if (CHROMIUM === undefined) throw new Error('chromium is required on CI (CI=true) and was not found');
  const profile = mkdtempSync(join(tmpdir(), 'custodian-chromium-'));
  return execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
}

describe('custodian run --html', () => {
  it('writes a page whose charts draw in a real browser, offline', async (context) => {
    if (skipReason) context.skip(skipReason);
    const html = join(dir, 'report.html');
    const result = await runCli(built, ['run', '--html', html, '--', 'vitest', 'run', 'retains-1mb.test.mjs']);
    expect(result.code, result.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    const dom = chromium(['--dump-dom', `file://${html}`]);
    const ready = /data-chart-ready="rss:(\d+),heap:(\d+)"/.exec(dom);
    expect(ready, 'the page script did not finish drawing').not.toBeNull();
    expect(Number(ready![1])).toBeGreaterThan(1);
    expect(Number(ready![2])).toBe(60);
    const rssPath = /<path[^>]*d="(M[^"]+)"[^>]*class="rss-line"/.exec(dom);
    expect(rssPath![1]!.split('L').length).toBe(Number(ready![1]));
    expect(dom).toContain('class="trend-line"');
    expect(dom).toContain('class="file-band"');
    const screenshot = join(dir, 'report.png');
    chromium(['--window-size=1100,1400', `--screenshot=${screenshot}`, `file://${html}`]);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  });
});
