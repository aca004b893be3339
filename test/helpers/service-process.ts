import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The built service (`dist/main.js`) as a child process on loopback, as the replica tests and the benchmarks run it. */
export interface ServiceProcess {
  url: string;
  pid: number;
  output: string[];
  process: ChildProcess;
}

const ROOT = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node dist/main.js` with `env` (plus PATH, a free PORT and HOST=127.0.0.1) and waits until it is ready. */
export async function startService(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  readyTimeoutMs = 120_000,
): Promise<ServiceProcess> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const service = { url: `http://127.0.0.1:${port}`, pid: child.pid!, output, process: child };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`service exited: ${output.join('')}`);
    }
    const ok = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      return service;
    }
    if (Date.now() > deadline) {
      throw new Error(`service did not become ready: ${output.join('')}`);
    }
    await sleep(200);
  }
}

/** SIGTERM, and SIGKILL if it has not exited within 10 s. */
export async function stopService(service: ServiceProcess): Promise<void> {
  if (service.process.exitCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => service.process.once('exit', resolve));
  service.process.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(10_000, false)]);
  if (!graceful) {
    service.process.kill('SIGKILL');
    await exited;
  }
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}
