import { existsSync, readdirSync, readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import pidusage from 'pidusage';

/** The resident memory of a process and all its descendants at one instant. */
export interface TreeReading {
  /** Sum of the RSS of every process in the tree, in bytes. */
  readonly rss: number;
  /** The processes found (the root first). */
  readonly pids: readonly number[];
}

/** Reads the tree under a root process. */
export interface ProcessTreeReader {
  readonly method: string;
  read(root: number): Promise<TreeReading>;
}

/**
 * The reader for this platform: /proc on Linux (a few small file reads per process, no
 * subprocess), and the `pidtree` + `pidusage` packages elsewhere (macOS: they run `ps`).
 */
export function createTreeReader(platform: NodeJS.Platform = process.platform): ProcessTreeReader {
  if (platform === 'linux' && existsSync('/proc/self/statm')) return new ProcTreeReader();
  return new PsTreeReader();
}

/**
 * Linux: children from /proc/<pid>/task/<tid>/children (every thread, since a worker thread
 * can spawn too), or a scan of /proc/<n>/stat on kernels built without that file; RSS from
 * /proc/<pid>/statm (resident pages) times the page size.
 */
export class ProcTreeReader implements ProcessTreeReader {
  readonly method = 'procfs';
  readonly #pageSize = pageSize();
  readonly #hasChildrenFiles = existsSync(`/proc/self/task/${process.pid}/children`);

  async read(root: number): Promise<TreeReading> {
    return this.readSync(root);
  }

  /** The synchronous reading (the sampler calls it from a timer; it takes well under a millisecond). */
  readSync(root: number): TreeReading {
    const pids = this.#hasChildrenFiles ? this.#walk(root) : this.#scan(root);
    let rss = 0;
    const alive: number[] = [];
    for (const pid of pids) {
      const pages = residentPages(pid);
      // A zombie (exited, not yet reaped) reads as zero pages: it holds no memory and is gone.
      if (pages === undefined || pages === 0) continue;
      rss += pages * this.#pageSize;
      alive.push(pid);
    }
    return { rss, pids: alive };
  }

  #walk(root: number): number[] {
    const found: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      found.push(pid);
      let tasks: string[];
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tasks) {
        let text = '';
        try {
          text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
        } catch {}
        for (const child of text.split(' ')) if (child.trim() !== '') queue.push(Number(child));
      }
    }
    return found;
  }

  #scan(root: number): number[] {
    const childrenOf = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      } catch {
        continue;
      }
      // The command name is in parentheses and may itself contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = childrenOf.get(ppid) ?? [];
      list.push(Number(entry));
      childrenOf.set(ppid, list);
    }
    const found: number[] = [];
    const queue = [root];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      found.push(pid);
      queue.push(...(childrenOf.get(pid) ?? []));
    }
    return found;
  }
}

/** macOS and other Unix systems: `pidtree` finds the descendants, `pidusage` reads their RSS. */
export class PsTreeReader implements ProcessTreeReader {
  readonly method = 'pidtree+pidusage';

  async read(root: number): Promise<TreeReading> {
    let pids: number[];
    try {
      pids = [root, ...(await pidtree(root))];
    } catch {
      return { rss: 0, pids: [] };
    }
    try {
      const stats = await pidusage(pids);
      let rss = 0;
      const alive: number[] = [];
      for (const pid of pids) {
        const stat = stats[String(pid)];
        if (!stat) continue;
        rss += stat.memory;
        alive.push(pid);
      }
      return { rss, pids: alive };
    } catch {
      // pidusage rejects the whole batch when one process exited between the two calls.
      return { rss: 0, pids: [] };
    }
  }
}

function residentPages(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The page size, from this process's own statm against its RSS (no `getconf` subprocess). */
function pageSize(): number {
  const pages = residentPages(process.pid) ?? 0;
  if (pages === 0) return 4096;
  const estimate = process.memoryUsage.rss() / pages;
  const candidates = [4096, 16384, 65536];
  return candidates.reduce((best, size) => (Math.abs(size - estimate) < Math.abs(best - estimate) ? size : best));
}
