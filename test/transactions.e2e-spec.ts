import { randomUUID } from 'node:crypto';
import { AuditService } from '../src/audit/audit.service';
import { isUniqueViolation } from '../src/common/errors/database-errors';
import { RequestContext } from '../src/common/request-context';
import { MultiStatementPool } from '../src/database/multi-statement-pool';
import { TransactionRunner } from '../src/database/transaction-runner';
import { UsersRepository } from '../src/users/users.repository';
import { createUser } from './factories/user.factory';
import { bearer, login, startTestApp, TestApp } from './helpers/test-app';

/**
 * TransactionRunner.runStatements: on MariaDB one multi-statement query on a pool of its own, on SQLite a queued
 * transaction. Both must write all of it or nothing, and store values exactly as the prepared statements do.
 */
describe('transactions sent in one round trip', () => {
  let t: TestApp;
  let runner: TransactionRunner;
  let audit: AuditService;
  const context = (): RequestContext & { requestId: string } => ({
    actorId: null,
    ip: '127.0.0.1',
    requestId: randomUUID(),
  });

  beforeAll(async () => {
    t = await startTestApp();
    runner = t.app.get(TransactionRunner);
    audit = t.app.get(AuditService);
  });

  afterAll(async () => {
    await t.close();
  });

  it('stores every statement, with quotes, backslashes and semicolons in values kept as they are', async () => {
    const ctx = context();
    const hostile = `it's a "test"; DELETE FROM audit_events; -- \\' \\\\ ${'\u2603'}`;
    await runner.runStatements([
      audit.recordStatement(ctx, { action: 'test.first', details: { note: hostile } }),
      audit.recordStatement(ctx, { action: 'test.second' }),
    ]);
    const rows = await t.dataSource.query('SELECT action, details FROM audit_events WHERE request_id = ?', [
      ctx.requestId,
    ]);
    expect((rows as { action: string }[]).map((row) => row.action).sort()).toEqual(['test.first', 'test.second']);
    const first = (rows as { action: string; details: string }[]).find((row) => row.action === 'test.first')!;
    expect(JSON.parse(first.details)).toEqual({ note: hostile });
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM audit_events'))[0].n)).toBeGreaterThan(1);
  });

  it('writes nothing when one statement fails, and the next transaction runs as usual', async () => {
    const ctx = context();
    const first = audit.recordStatement(ctx, { action: 'test.kept-out' });
    const duplicate = { sql: first.sql, values: first.values };
    const failed = await runner
      .runStatements([first, audit.recordStatement(ctx, { action: 'test.before-failure' }), duplicate])
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isUniqueViolation(failed)).toBe(true);
    const rows = await t.dataSource.query('SELECT action FROM audit_events WHERE request_id = ?', [ctx.requestId]);
    expect(rows).toEqual([]);

    // Later transactions, on whichever connection, neither fail nor commit what the failed one had begun.
    for (let i = 0; i < 5; i++) {
      const next = context();
      await runner.runStatements([audit.recordStatement(next, { action: 'test.after-failure' })]);
      const after = await t.dataSource.query('SELECT action FROM audit_events WHERE request_id = ?', [next.requestId]);
      expect(after).toEqual([{ action: 'test.after-failure' }]);
    }
    expect(await t.dataSource.query('SELECT action FROM audit_events WHERE request_id = ?', [ctx.requestId])).toEqual(
      [],
    );
  });

  it('leaves multi-statements off on the pool every other query uses', async () => {
    await expect(t.dataSource.query('SELECT 1; SELECT 2')).rejects.toThrow();
  });

  // The multi-statement pool exists on MySQL/MariaDB only.
  const onMysql = process.env.TEST_DATABASE_URL ? it : it.skip;

  onMysql('gives up on a transaction the server does not answer within the timeout, and recovers', async () => {
    const pool = new MultiStatementPool(t.dataSource, 200);
    try {
      const started = Date.now();
      await expect(pool.transaction([{ sql: 'SELECT SLEEP(3)', values: [] }])).rejects.toMatchObject({
        code: 'PROTOCOL_SEQUENCE_TIMEOUT',
      });
      expect(Date.now() - started).toBeLessThan(1500);
      const ctx = context();
      await pool.transaction([audit.recordStatement(ctx, { action: 'test.after-timeout' })]);
      const rows = await t.dataSource.query('SELECT action FROM audit_events WHERE request_id = ?', [ctx.requestId]);
      expect(rows).toEqual([{ action: 'test.after-timeout' }]);
    } finally {
      await pool.close();
    }
  });

  it('stores timestamps in UTC, as every other write does', async () => {
    const user = await createUser(t);
    const before = Date.now();
    await runner.runStatements([t.app.get(UsersRepository).recordLoginStatement(user.id)]);
    const admin = bearer((await login(t)).accessToken);
    const read = await t.http.get(`/api/v1/users/${user.id}`).set(admin).expect(200);
    const stamped = Date.parse(read.body.lastLoginAt as string);
    expect(stamped).toBeGreaterThanOrEqual(before - 1000);
    expect(stamped).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
