import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { sqlTimestamp } from '../src/database/sql-time';
import { createUser, CreatedUser } from './factories/user.factory';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

const IP_LIMIT = 8;
let ipCounter = 0;
/** Each test logs in from its own address (the test plays a trusted proxy), so per-address limits stay apart. */
const nextIp = (): string => `198.51.100.${++ipCounter}`;

describe('login, brute force and account status', () => {
  let t: TestApp;
  let admin: string;

  const attempt = (username: string, password: string, ip: string) =>
    t.http.post('/api/v1/auth/login').set('x-forwarded-for', ip).send({ username, password });

  const failTimes = async (user: CreatedUser, times: number, ip: string): Promise<void> => {
    for (let i = 0; i < times; i++) {
      expectProblem(await attempt(user.username, 'wrong password', ip), 401, 'invalid_credentials');
    }
  };

  const status = async (userId: string) =>
    (await t.http.get(`/api/v1/users/${userId}/status`).set(bearer(admin)).expect(200)).body as {
      enabled: boolean;
      locked: boolean;
      lockedUntil: string | null;
      type: string;
      canLogIn: boolean;
    };

  const secondsUntil = (iso: string | null): number => (new Date(iso!).getTime() - Date.now()) / 1000;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_IP_MAX_ATTEMPTS: String(IP_LIMIT), TRUST_PROXY: 'true' } });
    admin = (await login(t)).accessToken;
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers an unknown user, a wrong password and a locked account with the same 401', async () => {
    const user = await createUser(t);
    const locked = await createUser(t);
    await failTimes(locked, 5, nextIp());
    const ip = nextIp();
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    const unknown = expectProblem(await attempt('nobody-here', 'whatever pass', ip), 401, 'invalid_credentials');
    const wrong = expectProblem(await attempt(user.username, 'wrong password', ip), 401, 'invalid_credentials');
    const lockedRight = expectProblem(await attempt(locked.username, locked.password, ip), 401, 'invalid_credentials');
    expect(strip(wrong)).toEqual(strip(unknown));
    expect(strip(lockedRight)).toEqual(strip(unknown));
  });

  it('names a disabled account only after a correct password', async () => {
    const user = await createUser(t, { enabled: false });
    const ip = nextIp();
    expectProblem(await attempt(user.username, 'wrong password', ip), 401, 'invalid_credentials');
    expectProblem(await attempt(user.username, user.password, ip), 403, 'account_disabled');
  });

  it('reports mustChangePassword in the token pair', async () => {
    const user = await createUser(t, { mustChangePassword: true });
    const response = await attempt(user.username, user.password, nextIp()).expect(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 300, mustChangePassword: true });
  });

  it('locks an account for a minute after five consecutive wrong passwords, even against the right one', async () => {
    const user = await createUser(t);
    const ip = nextIp();
    await failTimes(user, 4, ip);
    expect(await status(user.id)).toMatchObject({ locked: false, canLogIn: true });
    await failTimes(user, 1, ip);

    const locked = await status(user.id);
    expect(locked).toMatchObject({ enabled: true, locked: true, type: 'internal', canLogIn: false });
    expect(secondsUntil(locked.lockedUntil)).toBeGreaterThan(50);
    expect(secondsUntil(locked.lockedUntil)).toBeLessThanOrEqual(60);
    expectProblem(await attempt(user.username, user.password, ip), 401, 'invalid_credentials');

    const events: { outcome: string; details: string }[] = await t.dataSource.query(
      `SELECT outcome, details FROM audit_events WHERE action = 'auth.login' AND target_id = ? ORDER BY at`,
      [user.id],
    );
    expect(events).toHaveLength(6);
    expect(events.every((e) => e.outcome === 'failure')).toBe(true);
    expect(JSON.parse(events[5].details)).toMatchObject({ reason: 'locked' });
    expect(events.map((e) => e.details).join()).not.toContain(user.password);
  });

  it('doubles the lock each time, from one minute', async () => {
    const user = await createUser(t);
    await failTimes(user, 5, nextIp());
    expect(secondsUntil((await status(user.id)).lockedUntil)).toBeLessThanOrEqual(60);
    // Let the lock run out without waiting for it.
    const expire = () =>
      t.dataSource.query('UPDATE login_failures SET locked_until = ? WHERE user_id = ?', [
        sqlTimestamp(new Date(Date.now() - 1000)),
        user.id,
      ]);
    await expire();
    expect(await status(user.id)).toMatchObject({ locked: false, lockedUntil: null, canLogIn: true });
    await failTimes(user, 5, nextIp());
    const second = secondsUntil((await status(user.id)).lockedUntil);
    expect(second).toBeGreaterThan(110);
    expect(second).toBeLessThanOrEqual(120);
    await expire();
    await failTimes(user, 5, nextIp());
    expect(secondsUntil((await status(user.id)).lockedUntil)).toBeGreaterThan(230);
  });

  it('resets the count on a successful login', async () => {
    const user = await createUser(t);
    const ip = nextIp();
    await failTimes(user, 4, ip);
    await attempt(user.username, user.password, ip).expect(200);
    await failTimes(user, 4, nextIp());
    expect(await status(user.id)).toMatchObject({ locked: false, canLogIn: true });
    await attempt(user.username, user.password, nextIp()).expect(200);
  });

  it('lets an administrator clear a lock at once, and audits it', async () => {
    const user = await createUser(t);
    const ip = nextIp();
    await failTimes(user, 5, ip);
    expectProblem(await attempt(user.username, user.password, ip), 401, 'invalid_credentials');

    await t.http.delete(`/api/v1/users/${user.id}/lockout`).set(bearer(admin)).expect(204);
    expect(await status(user.id)).toMatchObject({ locked: false, lockedUntil: null, canLogIn: true });
    await attempt(user.username, user.password, nextIp()).expect(200);
    const events: unknown[] = await t.dataSource.query(
      `SELECT id FROM audit_events WHERE action = 'user.lockout_clear' AND target_id = ?`,
      [user.id],
    );
    expect(events).toHaveLength(1);
  });

  it('limits login attempts per address with 429 and Retry-After; successful logins do not count', async () => {
    const user = await createUser(t);
    const ip = nextIp();
    for (let i = 0; i < IP_LIMIT + 2; i++) {
      await attempt(user.username, user.password, ip).expect(200);
    }
    // Failures on many accounts, so no account lock hides the address limit.
    for (let i = 0; i < IP_LIMIT; i++) {
      expectProblem(await attempt(`nobody-${i}`, 'wrong password', ip), 401, 'invalid_credentials');
    }
    const limited = await attempt(user.username, user.password, ip);
    expectProblem(limited, 429, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await attempt(user.username, user.password, nextIp()).expect(200);
  });

  it('admits no more parallel attempts from one address than its limit', async () => {
    for (let round = 0; round < 3; round++) {
      const ip = nextIp();
      const responses = await Promise.all(
        Array.from({ length: IP_LIMIT * 3 }, (_, i) => attempt(`parallel-nobody-${i}`, 'wrong password', ip)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([...Array(IP_LIMIT).fill(401), ...Array(IP_LIMIT * 2).fill(429)]);
    }
  });

  it('checks the body before the address limit or any credential', async () => {
    expectProblem(await t.http.post('/api/v1/auth/login').send({ username: 'x' }), 400, 'validation_failed');
  });

  it('reports a disabled account in /status, for a Service Client too', async () => {
    const user = await createUser(t, { enabled: false });
    const client = await createUser(t, { roles: [PREDEFINED_ROLES.serviceClient] });
    const token = (await login(t, client.username, client.password)).accessToken;
    const response = await t.http.get(`/api/v1/users/${user.id}/status`).set(bearer(token)).expect(200);
    expect(response.body).toEqual({
      enabled: false,
      locked: false,
      lockedUntil: null,
      type: 'internal',
      canLogIn: false,
    });
  });

  it('answers /status, /sessions and /lockout for an unknown or malformed id with 404', async () => {
    for (const id of ['6a1f8f0e-7f2b-4c1e-9a55-1d2e3f4a5b6c', 'not-a-uuid', 'é']) {
      const path = `/api/v1/users/${encodeURIComponent(id)}`;
      expectProblem(await t.http.get(`${path}/status`).set(bearer(admin)), 404, 'not_found');
      expectProblem(await t.http.get(`${path}/sessions`).set(bearer(admin)), 404, 'not_found');
      expectProblem(await t.http.delete(`${path}/sessions`).set(bearer(admin)), 404, 'not_found');
      expectProblem(await t.http.delete(`${path}/lockout`).set(bearer(admin)), 404, 'not_found');
    }
  });

  it('refuses the account routes to callers without the permission', async () => {
    const user = await createUser(t);
    const token = (await login(t, user.username, user.password)).accessToken;
    expectProblem(await t.http.get(`/api/v1/users/${user.id}/status`).set(bearer(token)), 403, 'forbidden');
    expectProblem(await t.http.delete(`/api/v1/users/${user.id}/lockout`).set(bearer(token)), 403, 'forbidden');
    expectProblem(await t.http.get(`/api/v1/users/${user.id}/sessions`), 401, 'unauthorized');
  });
});
