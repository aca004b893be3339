import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createTestDatabase, TestDatabase } from './helpers/test-database';
import { ADMIN } from './helpers/test-app';
import { ServiceProcess, startService } from './helpers/service-process';

/**
 * Two real Roster processes on one database, as two replicas behind a load balancer. Real processes, not two
 * Nest apps in this one: passport keeps its strategies in a process-wide singleton.
 */
const ROOT = join(__dirname, '..');

interface Replica extends ServiceProcess {
  name: string;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

async function startReplica(name: string, database: TestDatabase): Promise<Replica> {
  const service = await startService(
    {
      DATABASE_URL: database.url,
      // Long enough that B's verification of A's new kid cannot be explained by its periodic reload.
      SIGNING_KEYS_RELOAD_SECONDS: '4',
    },
    20_000,
  );
  return { name, ...service };
}

async function stopReplica(replica: Replica | undefined): Promise<void> {
  if (replica) {
    await replica.stop();
  }
}

async function call(
  replica: Replica,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${replica.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Pair = { accessToken: string; refreshToken: string };

async function logIn(replica: Replica, username: string, password: string): Promise<Pair> {
  const response = await call(replica, 'POST', '/api/v1/auth/login', { body: { username, password } });
  expect(response.status).toBe(200);
  return response.body as unknown as Pair;
}

const kidOf = (jwt: string): string =>
  (JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

describe('two replicas on one database', () => {
  let database: TestDatabase;
  let sql: DataSource;
  let a: Replica | undefined;
  let b: Replica | undefined;
  let admin: string;
  let userCounter = 0;

  /** A Service Client (it holds users.list, so its token can call /status), inserted with the admin's password hash. */
  async function newUser(): Promise<{ id: string; username: string; password: string }> {
    const adminRow = await sql.query<{ hash: string }[]>('SELECT password_hash AS hash FROM users WHERE username = ?', [
      ADMIN.username,
    ]);
    const id = `00000000-0000-4000-8000-${String(++userCounter).padStart(12, '0')}`;
    const username = `replica-user-${userCounter}`;
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await sql.query(
      `INSERT INTO users (id, username, username_key, search_text, type, password_hash, enabled, must_change_password, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, 'internal', ?, 1, 0, ?, ?, 1)`,
      [id, username, username, username, adminRow[0].hash, now, now],
    );
    await sql.query(
      `INSERT INTO role_assignments (id, role_id, principal_type, principal_id, scope_key, created_at) VALUES (?, ?, 'user', ?, '*', ?)`,
      [id.replace(/^00000000/, '11111111'), '00000000-0000-4000-8000-000000000009', id, now],
    );
    return { id, username, password: ADMIN.password };
  }

  /** 404 (no such user) means the token was accepted; 401 that it was refused. */
  const probe = async (replica: Replica, token: string): Promise<number> =>
    (await call(replica, 'GET', '/api/v1/users/6a1f8f0e-7f2b-4c1e-9a55-1d2e3f4a5b6c/status', { token })).status;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 180_000,
    });
    database = await createTestDatabase();
    a = await startReplica('A', database); // runs the migrations and creates the administrator
    b = await startReplica('B', database);
    sql = new DataSource(
      database.url.startsWith('sqlite:')
        ? { type: 'better-sqlite3', database: database.url.slice('sqlite:'.length), timeout: 5000 }
        : { type: 'mysql', url: database.url, timezone: 'Z' },
    );
    await sql.initialize();
    admin = (await logIn(a, ADMIN.username, ADMIN.password)).accessToken;
  }, 240_000);

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    if (sql?.isInitialized) {
      await sql.destroy();
    }
    await database?.drop();
  }, 30_000);

  it('rejects on B a token issued by A, right after the user is disabled', async () => {
    const user = await newUser();
    const { accessToken } = await logIn(a!, user.username, user.password);
    expect(await probe(b!, accessToken)).toBe(404);
    expect((await call(a!, 'POST', `/api/v1/users/${user.id}/disable`, { token: admin })).status).toBe(200);
    expect(await probe(b!, accessToken)).toBe(401);
    expect(await probe(a!, accessToken)).toBe(401);
  });

  it("rejects on B a token issued by B, right after A resets the user's password", async () => {
    const user = await newUser();
    const { accessToken, refreshToken } = await logIn(b!, user.username, user.password);
    const reset = await call(a!, 'PUT', `/api/v1/users/${user.id}/password`, {
      token: admin,
      body: { newPassword: 'a brand new passphrase', confirmPassword: 'a brand new passphrase' },
    });
    expect(reset.status).toBe(204);
    expect(await probe(b!, accessToken)).toBe(401);
    const refreshed = await call(b!, 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    expect(refreshed).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
  });

  it('kills on A the session whose spent refresh token is replayed on B', async () => {
    const user = await newUser();
    const first = await logIn(a!, user.username, user.password);
    const second = await call(a!, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    const { accessToken, refreshToken } = second.body as unknown as Pair;
    expect(await probe(a!, accessToken)).toBe(404);

    const replay = await call(b!, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
    expect(await probe(a!, accessToken)).toBe(401);
    const next = await call(a!, 'POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    expect(next).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
  });

  it('revokes on every replica the sessions ended through another one', async () => {
    const user = await newUser();
    const { accessToken } = await logIn(b!, user.username, user.password);
    const revoke = await call(a!, 'DELETE', `/api/v1/users/${user.id}/sessions`, { token: admin });
    expect(revoke.status).toBe(204);
    expect(await probe(b!, accessToken)).toBe(401);
  });

  it('answers checks on B with the roles A just granted and took away, though B answered from memory before', async () => {
    const client = await newUser();
    const { accessToken } = await logIn(b!, client.username, client.password);
    const subject = await newUser();
    const check = async () =>
      (
        await call(b!, 'POST', '/api/v1/authz/check', {
          token: accessToken,
          body: { userId: subject.id, permission: 'resources.read', resource: 'project:1' },
        })
      ).body;
    expect(await check()).toEqual({ allowed: false });
    expect(await check()).toEqual({ allowed: false });
    const granted = await call(a!, 'POST', `/api/v1/users/${subject.id}/role-assignments`, {
      token: admin,
      body: { roleId: PREDEFINED_ROLES.resourceReviewer, resources: ['project:1'] },
    });
    expect(granted.status).toBe(201);
    expect(await check()).toEqual({ allowed: true });
    const revoked = await call(
      a!,
      'DELETE',
      `/api/v1/users/${subject.id}/role-assignments/${String(granted.body.id)}`,
      {
        token: admin,
      },
    );
    expect(revoked.status).toBe(204);
    expect(await check()).toEqual({ allowed: false });
  });

  it('shares brute-force counters: failures on A and B add up to one lock', async () => {
    const user = await newUser();
    for (const replica of [a!, b!, a!, b!, a!]) {
      const response = await call(replica, 'POST', '/api/v1/auth/login', {
        body: { username: user.username, password: 'wrong password' },
      });
      expect(response.status).toBe(401);
    }
    const status = await call(b!, 'GET', `/api/v1/users/${user.id}/status`, { token: admin });
    expect(status.body).toMatchObject({ locked: true, canLogIn: false });
    const right = await call(b!, 'POST', '/api/v1/auth/login', {
      body: { username: user.username, password: user.password },
    });
    expect(right).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
  });

  it('verifies on B at once the tokens A signs after a rotation, and B signs with the new key soon after', async () => {
    const rotated = await call(a!, 'POST', '/api/v1/auth/keys/rotate', { token: admin });
    expect(rotated.status).toBe(200);
    const newKid = rotated.body.kid as string;
    const fromA = await logIn(a!, ADMIN.username, ADMIN.password);
    expect(kidOf(fromA.accessToken)).toBe(newKid);
    expect(await probe(b!, fromA.accessToken)).toBe(404);
    expect(await probe(b!, admin)).toBe(404); // signed with the retired key: still good

    const fromB = await until(
      'B to sign with the new key',
      async () => {
        const pair = await logIn(b!, ADMIN.username, ADMIN.password);
        return kidOf(pair.accessToken) === newKid ? pair : undefined;
      },
      15_000,
    );
    expect(await probe(a!, fromB.accessToken)).toBe(404);
  });
});
