import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * A fresh, empty database for one test app: a temporary SQLite file, or, when `TEST_DATABASE_URL` names a
 * MySQL/MariaDB server, a new database on it (dropped afterwards).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
    return {
      url: `sqlite:${join(dir, 'roster.sqlite')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const base = new URL(server);
  const name = `${base.pathname.slice(1) || 'roster_test'}_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}_${++counter}`;
  const admin = await createConnection({ uri: `${base.protocol}//${base.username}:${base.password}@${base.host}/` });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const connection = await createConnection({
        uri: `${base.protocol}//${base.username}:${base.password}@${base.host}/`,
      });
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
