import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';

export type DatabaseConfig =
  | {
      type: 'better-sqlite3';
      database: string;
      migrationsRun: boolean;
      timeoutMs: number;
    }
  | { type: 'mysql'; url: string; migrationsRun: boolean; timeoutMs: number };

export const DEFAULT_SQLITE_FILE = './data/roster.sqlite';

/** Reads `DATABASE_URL`: unset → the embedded SQLite file, `sqlite:` → that file, `mysql://` → MySQL/MariaDB. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim() || `sqlite:${DEFAULT_SQLITE_FILE}`;
  const migrationsRun = (env.MIGRATIONS_RUN ?? 'true') === 'true';
  const timeoutMs = Number(env.DATABASE_TIMEOUT_MS ?? 5000);
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return {
      type: 'better-sqlite3',
      database: file === ':memory:' ? file : resolve(file),
      migrationsRun,
      timeoutMs,
    };
  }
  return {
    type: 'mysql',
    url: url.replace(/^mariadb:/, 'mysql:'),
    migrationsRun,
    timeoutMs,
  };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig());
