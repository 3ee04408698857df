// tests/e2e/fixtures/vitest/leaks.test.ts for this directory's vitest: `vitest` resolves from here.
import { afterAll, beforeAll, describe, it } from 'vitest';
// @ts-expect-error -- a CommonJS fixture without types, shared with the jest, mocha and node:test suites
import kinds from '../../e2e/fixtures/leak-kinds.cjs';

(kinds as { defineLeakSuite(framework: object): void }).defineLeakSuite({ describe, it, before: beforeAll, after: afterAll });
