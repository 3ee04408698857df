import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const fake = { isTTY, text: '', write(chunk: string) { fake.text += chunk; return true; } };
  return fake as unknown as NodeJS.WriteStream & { text: string };
}

const state = { elapsedMs: 6000, rss: 300 * 1024 * 1024, peak: 400 * 1024 * 1024, tests: 12, failed: 1, leaks: 2 };

describe('Progress', () => {
  it('rewrites one line in place on a TTY and clears it before other output', () => {
    const out = stream(true);
    const progress = new Progress(out, true);
    progress.update(state);
    progress.update({ ...state, tests: 13 });
    expect(out.text.split('\r\u001b[2K')).toHaveLength(3);
    expect(out.text).toContain('tests 13 (1 failed)  leaks 2');
    expect(out.text).not.toContain('\n');
    progress.clear();
    expect(out.text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('prints a plain line every few seconds when not on a TTY', () => {
    const out = stream(false);
    const progress = new Progress(out, true, 5000);
    progress.update({ ...state, elapsedMs: 1000 });
    progress.update({ ...state, elapsedMs: 5200 });
    progress.update({ ...state, elapsedMs: 6000 });
    progress.update({ ...state, elapsedMs: 10_300 });
    expect(out.text.trim().split('\n')).toHaveLength(2);
    expect(out.text).not.toContain('\u001b');
  });

  it('prints nothing with --no-progress', () => {
    const out = stream(true);
    const progress = new Progress(out, false);
    progress.update(state);
    progress.clear();
    expect(out.text).toBe('');
  });
});
