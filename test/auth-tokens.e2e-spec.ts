import { createHash, createHmac, createPublicKey, generateKeyPairSync, JsonWebKey } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { SigningKeysService } from '../src/auth/signing-keys.service';
import { sqlTimestamp } from '../src/database/sql-time';
import { parseSqlTimestamp } from '../src/database/sql-time';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createUser, CreatedUser } from './factories/user.factory';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';
import { createTestDatabase, TestDatabase } from './helpers/test-database';

type Pair = { accessToken: string; refreshToken: string };

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as { kid: string };
const payloadOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
/** The claims without `iat` and `exp`, to sign again with other times. */
const withoutTimes = (claims: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => name !== 'iat' && name !== 'exp'));

describe('tokens: refresh, logout, revocation, introspection, keys', () => {
  let t: TestApp;
  let admin: string;
  let introspector: string;

  const me = (token: string) =>
    t.http.get('/api/v1/users/00000000-0000-4000-8000-00000000aaaa/status').set(bearer(token));
  /** 404 proves the token was accepted (the user does not exist); 401 that it was not. */
  const expectAccepted = async (token: string) => expect((await me(token)).status).toBe(404);
  const expectRejected = async (token: string) => expectProblem(await me(token), 401, 'unauthorized');

  const refresh = (refreshToken: string) => t.http.post('/api/v1/auth/refresh').send({ refreshToken });
  const introspect = (token: string) =>
    t.http.post('/api/v1/auth/introspect').set(bearer(introspector)).send({ token }).expect(200);

  /** A user with `users.list`, so their own token can reach the probe route. */
  const newUser = (): Promise<CreatedUser> => createUser(t, { roles: [PREDEFINED_ROLES.serviceClient] });

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t)).accessToken;
    const client = await newUser();
    introspector = (await login(t, client.username, client.password)).accessToken;
  });

  afterAll(async () => {
    await t.close();
  });

  describe('refresh', () => {
    it('exchanges a refresh token for a new pair, once', async () => {
      const user = await newUser();
      const first = await login(t, user.username, user.password);
      const second = (await refresh(first.refreshToken).expect(200)).body as Pair & Record<string, unknown>;
      expect(second).toMatchObject({ tokenType: 'Bearer', expiresIn: 300, mustChangePassword: false });
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(payloadOf(second.accessToken)).toMatchObject({ sub: user.id, sid: payloadOf(first.accessToken).sid });
      await expectAccepted(second.accessToken);
      await refresh(second.refreshToken).expect(200);
    });

    it('revokes the whole session when a spent refresh token comes back', async () => {
      const user = await newUser();
      const first = await login(t, user.username, user.password);
      const second = (await refresh(first.refreshToken).expect(200)).body as Pair;

      expectProblem(await refresh(first.refreshToken), 401, 'invalid_token');
      await expectRejected(second.accessToken);
      await expectRejected(first.accessToken);
      expectProblem(await refresh(second.refreshToken), 401, 'invalid_token');

      const events: { outcome: string; target_id: string; details: string }[] = await t.dataSource.query(
        `SELECT outcome, target_id, details FROM audit_events WHERE action = 'auth.refresh_reuse' AND target_id = ?`,
        [user.id],
      );
      expect(events).toHaveLength(1);
      expect(events[0].outcome).toBe('failure');
      expect(events[0].details).not.toContain(first.refreshToken);
    });

    it('refuses unknown, expired-session and disabled-user refresh tokens with 401 invalid_token', async () => {
      expectProblem(await refresh('not-a-token'), 401, 'invalid_token');
      expectProblem(await refresh('x'.repeat(512)), 401, 'invalid_token');

      const expired = await newUser();
      const expiredPair = await login(t, expired.username, expired.password);
      await t.dataSource.query('UPDATE sessions SET expires_at = ? WHERE user_id = ?', [
        sqlTimestamp(new Date(Date.now() - 1000)),
        expired.id,
      ]);
      expectProblem(await refresh(expiredPair.refreshToken), 401, 'invalid_token');

      const disabled = await newUser();
      const disabledPair = await login(t, disabled.username, disabled.password);
      await t.dataSource.query('UPDATE users SET enabled = 0 WHERE id = ?', [disabled.id]);
      expectProblem(await refresh(disabledPair.refreshToken), 401, 'invalid_token');
    });

    it('rejects a malformed body with 400', async () => {
      expectProblem(await t.http.post('/api/v1/auth/refresh').send({}), 400, 'validation_failed');
      expectProblem(await t.http.post('/api/v1/auth/refresh').send({ refreshToken: 7 }), 400, 'validation_failed');
    });
  });

  describe('revocation', () => {
    it('logs out: the session, its access and refresh tokens die at once', async () => {
      const user = await newUser();
      const pair = await login(t, user.username, user.password);
      const other = await login(t, user.username, user.password);
      await t.http.post('/api/v1/auth/logout').set(bearer(pair.accessToken)).expect(204);
      await expectRejected(pair.accessToken);
      expectProblem(await refresh(pair.refreshToken), 401, 'invalid_token');
      await expectAccepted(other.accessToken);
      expectProblem(await t.http.post('/api/v1/auth/logout'), 401, 'unauthorized');
      const events: unknown[] = await t.dataSource.query(
        `SELECT id FROM audit_events WHERE action = 'auth.logout' AND target_id = ?`,
        [user.id],
      );
      expect(events).toHaveLength(1);
    });

    it("rejects a disabled user's existing token on the next request", async () => {
      const user = await newUser();
      const pair = await login(t, user.username, user.password);
      await expectAccepted(pair.accessToken);
      await t.dataSource.query('UPDATE users SET enabled = 0 WHERE id = ?', [user.id]);
      await expectRejected(pair.accessToken);
    });

    it("rejects a deleted user's existing token on the next request", async () => {
      const user = await newUser();
      const pair = await login(t, user.username, user.password);
      await t.dataSource.query('DELETE FROM role_assignments WHERE principal_id = ?', [user.id]);
      await t.dataSource.query('DELETE FROM users WHERE id = ?', [user.id]);
      await expectRejected(pair.accessToken);
    });

    it('lists live sessions newest first, pages them, and revokes them all', async () => {
      const user = await newUser();
      const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
      const first = await login(t, user.username, user.password);
      await pause(); // distinct creation times, so the expected order does not rest on random ids
      const second = await login(t, user.username, user.password);
      await pause();
      const third = await login(t, user.username, user.password);
      await t.http.post('/api/v1/auth/logout').set(bearer(second.accessToken)).expect(204);

      const list = await t.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin)).expect(200);
      expect(list.body.nextCursor).toBeNull();
      expect((list.body.items as { id: string }[]).map((s) => s.id)).toEqual([
        payloadOf(third.accessToken).sid,
        payloadOf(first.accessToken).sid,
      ]);
      expect(list.body.items[0]).toEqual({
        id: payloadOf(third.accessToken).sid,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        lastUsedAt: expect.any(String),
        ip: expect.any(String),
        userAgent: null,
        current: false,
      });

      const page1 = await t.http.get(`/api/v1/users/${user.id}/sessions?limit=1`).set(bearer(admin)).expect(200);
      expect(page1.body.items).toHaveLength(1);
      const page2 = await t.http
        .get(`/api/v1/users/${user.id}/sessions`)
        .query({ limit: 1, cursor: page1.body.nextCursor })
        .set(bearer(admin))
        .expect(200);
      expect(page2.body.items[0].id).toBe(payloadOf(first.accessToken).sid);
      expect(page2.body.nextCursor).toBeNull();
      expectProblem(
        await t.http.get(`/api/v1/users/${user.id}/sessions?cursor=bogus`).set(bearer(admin)),
        400,
        'invalid_cursor',
      );

      await t.http.delete(`/api/v1/users/${user.id}/sessions`).set(bearer(admin)).expect(204);
      await expectRejected(first.accessToken);
      await expectRejected(third.accessToken);
      expectProblem(await refresh(third.refreshToken), 401, 'invalid_token');
      const after = await t.http.get(`/api/v1/users/${user.id}/sessions`).set(bearer(admin)).expect(200);
      expect(after.body).toEqual({ items: [], nextCursor: null });
      const events: { details: string }[] = await t.dataSource.query(
        `SELECT details FROM audit_events WHERE action = 'user.sessions_revoke' AND target_id = ?`,
        [user.id],
      );
      expect(JSON.parse(events[0].details)).toEqual({ revoked: 2 });
    });

    it("marks the caller's own session as current", async () => {
      const self = await createUser(t, { roles: [PREDEFINED_ROLES.userManager] });
      const pair = await login(t, self.username, self.password);
      const list = await t.http.get(`/api/v1/users/${self.id}/sessions`).set(bearer(pair.accessToken)).expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({ id: payloadOf(pair.accessToken).sid, current: true }),
      ]);
    });
  });

  describe('forged and stale access tokens', () => {
    let victim: CreatedUser;
    let genuine: string;

    beforeAll(async () => {
      victim = await newUser();
      genuine = (await login(t, victim.username, victim.password)).accessToken;
    });

    it('accepts the genuine token (control)', async () => {
      await expectAccepted(genuine);
    });

    it('rejects alg none', async () => {
      const claims = payloadOf(genuine);
      await expectRejected(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
      await expectRejected(
        `${base64url({ alg: 'none', typ: 'JWT', kid: headerOf(genuine).kid })}.${base64url(claims)}.`,
      );
    });

    it('rejects HS256 signed with the public key as the secret', async () => {
      const kid = headerOf(genuine).kid;
      const jwk = ((await t.http.get('/.well-known/jwks.json').expect(200)).body.keys as JsonWebKey[]).find(
        (k) => k.kid === kid,
      )!;
      const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
      const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT', kid })}.${base64url(payloadOf(genuine))}`;
      const signature = createHmac('sha256', pem).update(unsigned).digest('base64url');
      await expectRejected(`${unsigned}.${signature}`);
    });

    it('rejects a token signed by a foreign RSA key, even under our kid', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const claims = withoutTimes(payloadOf(genuine));
      for (const keyid of [headerOf(genuine).kid, 'foreign-key']) {
        const forged = sign(claims, privateKey, { algorithm: 'RS256', keyid, expiresIn: 300 });
        await expectRejected(forged);
      }
    });

    it('rejects an expired token signed with our own key', async () => {
      const { kid, privateKey } = t.app.get(SigningKeysService).signingKey();
      const claims = withoutTimes(payloadOf(genuine));
      const expired = sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 600 }, privateKey, {
        algorithm: 'RS256',
        keyid: kid,
        expiresIn: 300,
      });
      await expectRejected(expired);
    });

    it('rejects a token that was accepted once it expires (verified tokens are remembered only until then)', async () => {
      const { kid, privateKey } = t.app.get(SigningKeysService).signingKey();
      const claims = withoutTimes(payloadOf(genuine));
      const shortLived = sign(claims, privateKey, { algorithm: 'RS256', keyid: kid, expiresIn: 3 });
      await expectAccepted(shortLived);
      await new Promise((resolve) => setTimeout(resolve, 3100));
      await expectRejected(shortLived);
    });

    it('rejects a token whose sub was changed', async () => {
      const [header, , signature] = genuine.split('.');
      const tampered = `${header}.${base64url({ ...payloadOf(genuine), sub: '6a1f8f0e-7f2b-4c1e-9a55-1d2e3f4a5b6c' })}.${signature}`;
      await expectRejected(tampered);
    });

    it('rejects garbage', async () => {
      for (const garbage of ['eyJ!!.x.y', 'a.b.c', `${base64url({ alg: 'RS256', kid: 'é' })}.e30.sig`]) {
        await expectRejected(garbage);
      }
    });
  });

  describe('introspection', () => {
    it('describes a live token', async () => {
      const user = await newUser();
      const pair = await login(t, user.username, user.password);
      const claims = payloadOf(pair.accessToken);
      const response = await introspect(pair.accessToken);
      expect(response.body).toEqual({
        active: true,
        sub: user.id,
        username: user.username,
        exp: claims.exp,
        iat: claims.iat,
        sid: claims.sid,
        enabled: true,
      });
    });

    it('answers { active: false } alone for anything not live', async () => {
      const disabled = await newUser();
      const disabledToken = (await login(t, disabled.username, disabled.password)).accessToken;
      await t.dataSource.query('UPDATE users SET enabled = 0 WHERE id = ?', [disabled.id]);

      const loggedOut = await newUser();
      const loggedOutToken = (await login(t, loggedOut.username, loggedOut.password)).accessToken;
      await t.http.post('/api/v1/auth/logout').set(bearer(loggedOutToken)).expect(204);

      const { kid, privateKey } = t.app.get(SigningKeysService).signingKey();
      const claims = withoutTimes(payloadOf(introspector));
      const expired = sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 600 }, privateKey, {
        algorithm: 'RS256',
        keyid: kid,
        expiresIn: 300,
      });

      const { refreshToken } = await login(t);
      for (const token of [disabledToken, loggedOutToken, expired, 'garbage', refreshToken]) {
        expect((await introspect(token)).body).toEqual({ active: false });
      }
    });

    it('needs tokens.introspect', async () => {
      const response = await t.http.post('/api/v1/auth/introspect').set(bearer(admin)).send({ token: admin });
      expectProblem(response, 403, 'forbidden');
      expectProblem(await t.http.post('/api/v1/auth/introspect').send({ token: admin }), 401, 'unauthorized');
      const bad = await t.http.post('/api/v1/auth/introspect').set(bearer(introspector)).send({ token: 1 });
      expectProblem(bad, 400, 'validation_failed');
    });
  });

  describe('signing keys', () => {
    it('rotates: new tokens carry the new kid, old tokens keep working, the JWKS lists both', async () => {
      const before = await login(t);
      const oldKid = headerOf(before.accessToken).kid;
      const rotated = await t.http.post('/api/v1/auth/keys/rotate').set(bearer(admin)).expect(200);
      const newKid = rotated.body.kid as string;
      expect(newKid).not.toBe(oldKid);

      const after = await login(t);
      expect(headerOf(after.accessToken).kid).toBe(newKid);
      await expectAccepted(before.accessToken);
      await expectAccepted(after.accessToken);
      const jwks = await t.http.get('/.well-known/jwks.json').expect(200);
      expect((jwks.body.keys as { kid: string }[]).map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));

      const events: { details: string }[] = await t.dataSource.query(
        `SELECT details FROM audit_events WHERE action = 'auth.key_rotate'`,
      );
      expect(JSON.parse(events[0].details)).toMatchObject({ kid: newKid });
    });

    it('needs server.configure to rotate', async () => {
      expectProblem(await t.http.post('/api/v1/auth/keys/rotate').set(bearer(introspector)), 403, 'forbidden');
    });
  });

  describe('activity', () => {
    const lastActivity = async (userId: string): Promise<Date | null> => {
      const [row] = await t.dataSource.query('SELECT last_activity_at AS at FROM users WHERE id = ?', [userId]);
      return parseSqlTimestamp((row as { at: Date | string | null }).at);
    };
    const setLastActivity = (userId: string, secondsAgo: number) =>
      t.dataSource.query('UPDATE users SET last_activity_at = ? WHERE id = ?', [
        sqlTimestamp(new Date(Date.now() - secondsAgo * 1000)),
        userId,
      ]);

    it('records lastActivityAt on authenticated requests, at most once a minute', async () => {
      const user = await newUser();
      const { accessToken } = await login(t, user.username, user.password);

      await setLastActivity(user.id, 30);
      const recent = await lastActivity(user.id);
      await expectAccepted(accessToken);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await lastActivity(user.id)).toEqual(recent);

      await setLastActivity(user.id, 120);
      const requestedAt = Date.now();
      await expectAccepted(accessToken);
      const deadline = Date.now() + 5000;
      let seen = await lastActivity(user.id);
      while (seen!.getTime() < requestedAt - 1000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = await lastActivity(user.id);
      }
      expect(seen!.getTime()).toBeGreaterThanOrEqual(requestedAt - 1000);
    });
  });
});

describe('ES256 (JWT_ALGORITHM=ES256)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    delete process.env.JWT_ALGORITHM;
    await database.drop();
  });

  it('takes over from an RS256 key at start-up: EC key in the JWKS, ES256 tokens, earlier tokens still work', async () => {
    const rs = await startTestApp({ database });
    const before = await login(rs);
    await rs.close();
    expect(headerOf(before.accessToken)).toMatchObject({ alg: 'RS256' });

    const es = await startTestApp({ database, env: { JWT_ALGORITHM: 'ES256' } });
    try {
      const probe = (token: string) =>
        es.http.get('/api/v1/users/00000000-0000-4000-8000-00000000aaaa/status').set(bearer(token));
      expect((await probe(before.accessToken)).status).toBe(404);
      const after = await login(es);
      const header = headerOf(after.accessToken) as { kid: string; alg: string };
      expect(header.alg).toBe('ES256');
      expect((await probe(after.accessToken)).status).toBe(404);

      const keys = (await es.http.get('/.well-known/jwks.json').expect(200)).body.keys as Record<string, string>[];
      const ec = keys.find((k) => k.kid === header.kid)!;
      expect(ec).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(ec.n).toBeUndefined();
      expect(keys.find((k) => k.kid === headerOf(before.accessToken).kid)).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      const thumbprint = createHash('sha256')
        .update(JSON.stringify({ crv: ec.crv, kty: ec.kty, x: ec.x, y: ec.y }))
        .digest('base64url');
      expect(ec.kid).toBe(thumbprint);

      const refreshed = await es.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: after.refreshToken })
        .expect(200);
      expect(headerOf(refreshed.body.accessToken as string)).toMatchObject({ alg: 'ES256' });

      // Under the EC key's kid only ES256 verifies: an RS256 signature (by any RSA key) is refused.
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = sign(withoutTimes(payloadOf(after.accessToken)), privateKey, {
        algorithm: 'RS256',
        keyid: header.kid,
        expiresIn: 300,
      });
      expectProblem(await probe(forged), 401, 'unauthorized');
    } finally {
      await es.close();
    }
  });
});
