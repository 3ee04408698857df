import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from '../../src/cli/sizes.js';
import { isCustodianError } from '../../src/errors.js';

describe('parseSize', () => {
  it('reads plain bytes, decimal and binary units', () => {
    expect(parseSize('1048576', '--max-rss')).toBe(1048576);
    expect(parseSize('512MB', '--max-rss')).toBe(512e6);
    expect(parseSize('1.5GiB', '--max-rss')).toBe(1.5 * 2 ** 30);
    expect(parseSize('64 KiB', '--max-rss')).toBe(65536);
    expect(parseSize('2g', '--max-rss')).toBe(2 * 2 ** 30);
    expect(parseSize('100b', '--max-rss')).toBe(100);
  });

  it('rejects anything else with a usage error that says what is accepted', () => {
    for (const text of ['', 'lots', '-5MB', '12XB', '1e6', 'MB', '0', '1.2.3GB']) {
      let caught: unknown;
      try {
        parseSize(text, '--max-growth');
      } catch (error) {
        caught = error;
      }
      expect(isCustodianError(caught, 'ERR_INVALID_ARGUMENT'), text).toBe(true);
      expect((caught as Error).message).toContain('--max-growth');
      expect((caught as Error).message).toContain('1.5GiB');
    }
  });
});

describe('formatBytes', () => {
  it('prints binary units with three significant digits', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(50.2 * 2 ** 20)).toBe('50.2 MiB');
    expect(formatBytes(-3 * 2 ** 30)).toBe('-3.00 GiB');
  });
});
