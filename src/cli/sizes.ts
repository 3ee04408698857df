import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
};

/** What {@link parseSize} accepts, for usage messages. */
export const SIZE_HELP =
  'a size such as 512MB, 1.5GiB, 800KiB or plain bytes (units: B, kB, MB, GB, TB = powers of 1000; KiB, MiB, GiB, TiB, K, M, G = powers of 1024)';

/**
 * Reads a size: plain bytes (`1048576`) or a number with a unit (`512MB`, `1.5GiB`, `64 KiB`).
 * `kB`/`MB`/`GB` are decimal (as disks and `ps` in most tools print them), `KiB`/`MiB`/`GiB`
 * and the one-letter `K`/`M`/`G` are binary. Throws a {@link UsageError} naming the option
 * and what is accepted for anything else (negative numbers, unknown units, empty text).
 */
export function parseSize(text: string, option: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase() || 'b'] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`${option} got ${JSON.stringify(text)}; expected ${SIZE_HELP}`);
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new UsageError(`${option} must be greater than zero, got ${JSON.stringify(text)}; expected ${SIZE_HELP}`);
  }
  return bytes;
}

/** Prints bytes in binary units with three significant digits: `1.50 GiB`, `812 KiB`, `-3.20 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}
