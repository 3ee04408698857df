import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectSetup, mentions } from '../../src/cli/inject.js';
import { detectRunner, withTestNamePattern } from '../../src/cli/runners.js';
import { isCustodianError } from '../../src/errors.js';

describe('detectRunner', () => {
  it('recognises runners through wrappers and paths', () => {
    expect(detectRunner(['vitest', 'run']).kind).toBe('vitest');
    expect(detectRunner(['npx', 'jest', '--ci']).kind).toBe('jest');
    expect(detectRunner(['pnpm', 'exec', 'mocha']).kind).toBe('mocha');
    expect(detectRunner(['node', 'node_modules/jest/bin/jest.js']).kind).toBe('jest');
    expect(detectRunner(['node', '--test', 'test/']).kind).toBe('node-test');
    expect(detectRunner(['make', 'test']).kind).toBe('unknown');
  });
});

describe('withTestNamePattern', () => {
  it("puts the pattern in each runner's own flag", () => {
    expect(withTestNamePattern(['vitest', 'run'], detectRunner(['vitest']), 'db')).toEqual(['vitest', 'run', '-t', 'db']);
    expect(withTestNamePattern(['jest'], detectRunner(['jest']), 'db')).toEqual(['jest', '-t', 'db']);
    expect(withTestNamePattern(['mocha'], detectRunner(['mocha']), 'db')).toEqual(['mocha', '--grep', 'db']);
    const node = ['node', '--test', 'a.test.js'];
    expect(withTestNamePattern(node, detectRunner(node), 'db')).toEqual(['node', '--test', '--test-name-pattern=db', 'a.test.js']);
  });

  it('is a usage error for a runner it does not know', () => {
    let caught: unknown;
    try {
      withTestNamePattern(['make'], detectRunner(['make']), 'db');
    } catch (error) {
      caught = error;
    }
    expect(isCustodianError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('injectSetup', () => {
  it("wraps the project's vitest config and keeps the root", () => {
    const project = mkdtempSync(join(tmpdir(), 'custodian-inject-'));
    writeFileSync(join(project, 'vitest.config.ts'), "export default { test: { setupFiles: ['./mine.ts'] } };\n");
    const tmp = mkdtempSync(join(tmpdir(), 'custodian-inject-tmp-'));
    const injection = injectSetup(['vitest', 'run'], detectRunner(['vitest']), '/abs/setup.js', project, tmp);
    expect(injection.command).toEqual(['vitest', 'run', '--config', join(tmp, 'vitest.config.mjs'), '--root', project]);
    const wrapper = readFileSync(join(tmp, 'vitest.config.mjs'), 'utf8');
    expect(wrapper).toContain(JSON.stringify(join(project, 'vitest.config.ts')));
    expect(wrapper).toContain('"/abs/setup.js"');
  });

  it('leaves a config that already loads custodian alone', () => {
    const project = mkdtempSync(join(tmpdir(), 'custodian-inject-'));
    writeFileSync(join(project, 'vitest.config.mjs'), "export default { test: { setupFiles: ['custodian/vitest'] } };\n");
    const injection = injectSetup(['vitest', 'run'], detectRunner(['vitest']), '/abs/setup.js', project, project);
    expect(injection.command).toEqual(['vitest', 'run']);
  });

  it('uses --require for mocha and --import after --test for node', () => {
    expect(injectSetup(['mocha'], detectRunner(['mocha']), '/s.js', '/', '/tmp').command).toEqual(['mocha', '--require', '/s.js']);
    const node = ['node', '--test', 'x.js'];
    expect(injectSetup(node, detectRunner(node), '/s.js', '/', '/tmp').command).toEqual(['node', '--test', '--import', '/s.js', 'x.js']);
  });
});

describe('mentions', () => {
  it('finds an integration a config loads, but not one in a comment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-mentions-'));
    const loads = join(dir, 'loads.config.mjs');
    const commented = join(dir, 'commented.config.mjs');
    writeFileSync(loads, "export default { test: { setupFiles: ['custodian/vitest'] } };\n");
    writeFileSync(
      commented,
      "// setupFiles: ['custodian/vitest'] is injected by custodian run\n/* custodian/vitest */\nexport default { test: { root: 'http://x//y' } };\n",
    );
    expect(mentions(loads, 'custodian/vitest')).toBe(true);
    expect(mentions(commented, 'custodian/vitest')).toBe(false);
  });
});
