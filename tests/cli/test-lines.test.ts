import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestLineReader, normaliseLine } from '../../src/cli/test-lines.js';

const testLine = (name: string): string =>
  JSON.stringify({ type: 'test', file: 'a.test.ts', name, durationMs: 2, heapUsedBefore: 10, heapUsedAfter: 20, rss: 30, leaks: [], cleanup: { ok: true, disposed: [{}], forced: [], failed: [], timedOut: [] } });

describe('TestLineReader', () => {
  it('returns complete lines as they are appended and waits for the rest of a partial one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'custodian-lines-')), 'tests.jsonl');
    writeFileSync(file, '');
    const reader = new TestLineReader(file, Date.now());
    const second = testLine('second');
    appendFileSync(file, `${testLine('first')}\n${second.slice(0, 20)}`);
    expect(reader.poll(5).map((line) => line.name)).toEqual(['first']);
    appendFileSync(file, `${second.slice(20)}\nnot json\n{"type":"file"}\n`);
    expect(reader.poll(6).map((line) => [line.name, line.t])).toEqual([['second', 6]]);
    expect(reader.invalid).toBe(1);
    expect(reader.lines).toHaveLength(2);
    expect(reader.lines[0]!.cleanup).toEqual({ ok: true, disposed: 1, forced: 0, failed: 0, timedOut: 0 });
  });
});

describe('TestLineReader, lines that are not tests', () => {
  it("applies a file end's post-GC checkpoint to that process's last test and collects leaks outside tests", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'custodian-lines-')), 'tests.jsonl');
    const line = (name: string, pid: number): string => JSON.stringify({ ...JSON.parse(testLine(name)), pid, gc: false });
    const leak = { kind: 'timer', type: 'Timeout', description: 'interval every 1000 ms', test: 'a.test.ts', disposed: true };
    writeFileSync(
      file,
      [
        line('one', 1),
        line('two', 2),
        line('three', 1),
        JSON.stringify({ type: 'checkpoint', file: 'a.test.ts', pid: 1, heapUsedAfter: 15, rss: 40, time: Date.now() }),
        JSON.stringify({ type: 'file', file: 'a.test.ts', pid: 1, leaks: [leak] }),
        JSON.stringify({ type: 'file', file: 'b.test.ts', pid: 2, leaks: [] }),
      ].join('\n') + '\n',
    );
    const reader = new TestLineReader(file, Date.now());
    reader.poll(1);
    expect(reader.lines.map((entry) => [entry.name, entry.heapUsedAfter, entry.gc, entry.rss])).toEqual([
      ['one', 20, false, 30],
      ['two', 20, false, 30],
      ['three', 15, true, 40],
    ]);
    expect(reader.fileLeaks).toEqual([{ file: 'a.test.ts', pid: 1, leaks: [leak] }]);
  });
});

describe('normaliseLine', () => {
  it('defaults missing fields and uses time relative to the start', () => {
    const line = normaliseLine({ type: 'test', name: 'x', time: 1500, pid: 7, gc: true, status: 'failed' }, 1000, 99);
    expect(line).toMatchObject({ file: '(unknown file)', name: 'x', heapUsedAfter: 0, t: 500, pid: 7, gc: true, status: 'failed' });
    expect(normaliseLine({ type: 'summary' }, 0, 0)).toBeUndefined();
  });
});
