// Real resources of every leak kind, for the leak tests: each returns the handle and a way to close it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';

export async function listeningServer(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export async function connectTo(server: net.Server): Promise<net.Socket> {
  const { port } = server.address() as net.AddressInfo;
  const socket = new net.Socket();
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  return socket;
}

export async function closeServer(server: net.Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function onlineWorker(): Promise<Worker> {
  const worker = new Worker('setInterval(() => {}, 1000);', { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  return worker;
}

export function sleepingChild(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'pipe' });
}

export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export function watcher(): fs.FSWatcher {
  return fs.watch(os.tmpdir());
}

export function listeningPort(): MessageChannel {
  const channel = new MessageChannel();
  channel.port1.on('message', () => undefined);
  return channel;
}

/** Whether Node still counts the handle as active (ref'd and open). */
export function isActive(handle: object): boolean {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().includes(handle);
}
