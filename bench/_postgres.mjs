// A throwaway PostgreSQL server for a benchmark: initdb into a temporary directory, pg_ctl start
// on a free port with room for more connections than the machine's own server allows, and stop
// plus delete at the end, also when the benchmark fails or is interrupted (Ctrl-C, SIGTERM).
//
// The server binaries come from /usr/lib/postgresql/<newest>/bin (BENCH_PG_BIN overrides).
// PostgreSQL refuses to run as root: as root, every server command runs as the `postgres` OS
// user, which then owns the temporary directory.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function serverBinaries() {
  if (process.env.BENCH_PG_BIN) return process.env.BENCH_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin (set BENCH_PG_BIN)`);
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

/** The uid and gid to run the server as: the current user, or `postgres` when that is root. */
function serverUser() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => {
    const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error('running as root needs a `postgres` OS user to run PostgreSQL as');
    return Number(result.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server and returns `{ host, port, user, database, stop() }`. `stop()` is synchronous
 * and idempotent (fast shutdown, then the directory is removed); it also runs on SIGINT,
 * SIGTERM and process exit, so an interrupted or failed benchmark leaves nothing behind.
 */
export async function startPostgres({ maxConnections = 250 } = {}) {
  const bin = serverBinaries();
  const user = serverUser();
  const directory = mkdtempSync(join(tmpdir(), 'custodian-bench-pg-'));
  if (user.uid !== undefined) chownSync(directory, user.uid, user.gid);
  const data = join(directory, 'data');
  const log = join(directory, 'server.log');
  const run = (command, args, stdio = 'pipe') =>
    spawnSync(join(bin, command), args, { ...user, cwd: directory, stdio, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });

  let started = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (started) run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    rmSync(directory, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', stop);

  try {
    const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
    const port = await freePort();
    const options = `-c max_connections=${maxConnections} -c fsync=off -c listen_addresses=127.0.0.1 -p ${port} -k ${directory}`;
    // The postmaster outlives pg_ctl and must not hold its pipes: its output goes to the log.
    const start = run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start'], 'ignore');
    started = true;
    if (start.status !== 0) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`pg_ctl start failed (exit ${start.status}):\n${tail}`);
    }
    return {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database: 'postgres',
      version: bin.split('/').at(-2),
      stop() {
        stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('exit', stop);
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}
