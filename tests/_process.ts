import { fileURLToPath } from 'node:url';

/** The repository's root directory (with a trailing separator). */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Whether a process with this pid still exists (one we may not signal counts as alive). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
