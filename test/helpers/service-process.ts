import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN } from './admin';

const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');

/**
 * The built service (`dist/main.js`) as a child process on loopback, as the replica, reliability and benchmark runs
 * use it. They need a build: `npm install` makes one, `npm run test:reliability` and `npm run bench` refresh it.
 */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run "nest build"`);
  }
}

/** A port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; safe to call twice and after the process died. */
  stop(graceMs?: number): Promise<Exit>;
}

/** Fetch with a hard deadline: a hung server fails the test instead of hanging it. */
export async function fetchWithin(url: string, init: RequestInit = {}, ms = 10_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
}

/**
 * The memory settings `npm run start:prod` (and the Docker image) give the service, read from package.json so the
 * benchmarks and the soak test measure the service as it is deployed.
 */
function productionRuntime(): Record<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = scripts['start:prod'];
  const malloc = [...script.matchAll(/\b(MALLOC_\w+)=(\d+)/g)].map(([, name, value]) => [name, value]);
  const nodeOptions = /NODE_OPTIONS="([^"$]*?)\s*(?:\$NODE_OPTIONS)?"/.exec(script)?.[1];
  return { ...Object.fromEntries(malloc), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
}

/**
 * Starts `node dist/main` on a free loopback port with cheap argon2 parameters and the test administrator, with the
 * memory settings of production, then waits (bounded) until `/health/ready` answers 200.
 */
export async function startService(env: Record<string, string>, readyWithinMs = 60_000): Promise<ServiceProcess> {
  assertBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: String(port),
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ...productionRuntime(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let dead = false;
  void exited.then(() => (dead = true));
  const service: ServiceProcess = {
    child,
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    stop: async (graceMs = 10_000) => {
      if (!dead) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const exit = await exited;
        clearTimeout(timer);
        return exit;
      }
      return exited;
    },
  };
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (dead) {
      throw new Error(`service exited during start-up:\n${output}`);
    }
    try {
      const response = await fetchWithin(`${service.url}/health/ready`, {}, 2_000);
      if (response.status === 200) {
        return service;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await service.stop(1_000);
  throw new Error(`service not ready within ${readyWithinMs} ms:\n${output}`);
}

/** Logs in as the test administrator (or another user) over HTTP and returns the access token. */
export async function loginOver(
  url: string,
  username = ADMIN.username,
  password = ADMIN.password,
): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await fetchWithin(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) {
    throw new Error(`login failed: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as { accessToken: string; refreshToken: string };
}

/** Resident set size of a process in KiB, from /proc (Linux). */
export async function rssKiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) {
    throw new Error(`no VmRSS for ${pid}`);
  }
  return Number(match[1]);
}
