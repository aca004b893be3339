import { QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  errno?: number;
}

function driverError(error: unknown): DriverError | undefined {
  const candidate: unknown = error instanceof QueryFailedError ? error.driverError : error;
  return typeof candidate === 'object' && candidate !== null ? candidate : undefined;
}

/** True for a duplicate-key violation on MySQL/MariaDB (1062) or SQLite (UNIQUE / PRIMARY KEY constraint). */
export function isUniqueViolation(error: unknown): boolean {
  const driver = driverError(error);
  return (
    driver?.errno === 1062 ||
    driver?.code === 'ER_DUP_ENTRY' ||
    driver?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driver?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True for a reference to a row that is gone (a concurrent delete): MySQL 1452, SQLite FOREIGN KEY constraint. */
export function isForeignKeyViolation(error: unknown): boolean {
  const driver = driverError(error);
  return driver?.errno === 1452 || driver?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** True when the database could not be reached or was too busy: the client may retry, so 503 and not 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const driver = driverError(error);
  if (driver?.code && UNAVAILABLE_CODES.has(driver.code)) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Pool is closed|Connection lost|connect ETIMEDOUT|not (yet )?initialized|Can't add new command when connection is in closed state/i.test(
    message,
  );
}
