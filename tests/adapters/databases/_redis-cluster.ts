/**
 * A throwaway Redis Cluster for the tests: three `redis-server` processes of the machine's own
 * binary, each on a free port with a temporary directory and no persistence, slots assigned by
 * `redis-cli --cluster create`. When a binary is missing the tests that need it are skipped
 * with a visible reason; under `CI=true` that is an error instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  /** The node's `redis-server` process. */
  readonly process: ChildProcess;
  /** A connection of the test's own to this node, for CLIENT LIST and CLUSTER INFO. */
  readonly admin: Redis;
}

export interface RedisCluster extends AsyncDisposable {
  readonly nodes: readonly ClusterNode[];
}

/** Why the cluster cannot be started here (a missing binary), or undefined when it can. */
function missingBinary(): string | undefined {
  for (const binary of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
    if (probe.error !== undefined) return `${binary} is not installed (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})`;
  }
  return undefined;
}

/**
 * Whether a Redis Cluster can be started. When it cannot, prints why the tests that need it
 * are skipped; under `CI=true` it throws instead, so a missing binary fails the run.
 */
export function redisClusterAvailable(): boolean {
  const problem = missingBinary();
  if (problem === undefined) return true;
  const message = `a Redis Cluster cannot be started: ${problem}`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI requires it`);
  console.warn(`SKIPPED: ${message}; its tests are skipped`);
  return false;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port);
      taken.add(port + 10_000);
      return port;
    }
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

/** Polls `check` (a rejection counts as not yet) until it holds; `failed` says when to give up early. */
async function until(what: string, check: () => Promise<boolean>, failed: () => string | undefined = () => undefined, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const problem = failed();
    if (problem !== undefined) throw new Error(`${what}: ${problem}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a node's process: SIGTERM (SIGCONT first, in case a test left it stopped), SIGKILL after 5 s. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

/**
 * Starts a cluster of `size` masters (no replicas) and waits for `cluster_state:ok` on every
 * node. Disposing it closes the admin connections, stops every process and waits for it to
 * exit, and removes the temporary directories; a failed start cleans up the same way.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const taken = new Set<number>();
  const directories: string[] = [];
  const processes: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.admin.quit().catch(() => node.admin.disconnect())));
    await Promise.all(processes.map(stopProcess));
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freeClusterPort(taken);
      const directory = mkdtempSync(path.join(os.tmpdir(), 'custodian-redis-cluster-'));
      directories.push(directory);
      // prettier-ignore
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', directory,
        '--cluster-enabled', 'yes', '--cluster-config-file', path.join(directory, 'nodes.conf'),
        '--save', '', '--appendonly', 'no', '--logfile', path.join(directory, 'redis.log'),
      ], { stdio: 'ignore' });
      processes.push(child);
      const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectionName: 'custodian-cluster-admin', retryStrategy: () => 100 });
      admin.on('error', () => undefined);
      nodes.push({ host: '127.0.0.1', port, process: child, admin });
    }
    for (const node of nodes) {
      await until(
        `redis-server on port ${node.port}`,
        async () => {
          if (node.admin.status === 'wait') await node.admin.connect();
          return (await node.admin.ping()) === 'PONG';
        },
        () => (node.process.exitCode === null ? undefined : `exited with ${node.process.exitCode}`),
      );
    }
    const endpoints = nodes.map((node) => `${node.host}:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...endpoints, '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    for (const node of nodes) {
      await until(`cluster_state:ok on port ${node.port}`, async () => ((await node.admin.cluster('INFO')) as string).includes('cluster_state:ok'));
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { nodes, [Symbol.asyncDispose]: dispose };
}

/** Connections a node holds for clients, from CLIENT LIST (the admin connection included). */
export async function clusterNodeClients(node: ClusterNode): Promise<number> {
  const list = (await node.admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.trim() !== '').length;
}
