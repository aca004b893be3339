import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort, sleep } from './service-process';

const run = promisify(execFile);
const MARIADBD = process.env.MARIADBD_PATH ?? '/usr/sbin/mariadbd';
const INSTALL_DB = process.env.MARIADB_INSTALL_DB_PATH ?? 'mariadb-install-db';

/**
 * A private MariaDB server for fault injection: its own data directory, socket and loopback port, so killing
 * it harms nobody else. `kill()` is SIGKILL (a crash, not a shutdown); `start()` again reuses the data directory.
 */
export class PrivateMariaDb {
  readonly dir = mkdtempSync(join(tmpdir(), 'roster-mariadb-'));
  readonly datadir = join(this.dir, 'data');
  port = 0;
  private child?: ChildProcess;
  private log = '';

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/roster`;
  }

  async install(): Promise<void> {
    this.port = await freePort();
    await run(
      INSTALL_DB,
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--user=root',
      ],
      { timeout: 60_000 },
    );
    await this.start();
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    await connection.query('CREATE DATABASE roster CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    await connection.end();
  }

  /** Starts the server on the same data directory and port; waits (bounded) until it answers. */
  async start(readyWithinMs = 60_000): Promise<void> {
    this.log = '';
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${this.datadir}`,
        `--port=${this.port}`,
        `--socket=${join(this.dir, 'mariadb.sock')}`,
        `--pid-file=${join(this.dir, 'mariadb.pid')}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        '--innodb-flush-log-at-trx-commit=1',
        '--max-connections=100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-10_000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-10_000)));
    this.child = child;
    const deadline = Date.now() + readyWithinMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`mariadbd exited:\n${this.log}`);
      }
      try {
        const connection = await createConnection({
          host: '127.0.0.1',
          port: this.port,
          user: 'root',
          connectTimeout: 1_000,
        });
        await connection.end();
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`mariadbd not ready within ${readyWithinMs} ms:\n${this.log}`);
  }

  /** SIGKILL: the database vanishes mid-transaction, as on a crash or a lost host. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
  }

  /** SIGSTOP: the server keeps its sockets open but answers nothing, like a hung host or a black-holed network. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
