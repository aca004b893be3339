import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createUser } from './factories/user.factory';
import { inconsistencies } from './helpers/consistency';
import { ADMIN, bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

const PASSWORD = 'a long enough passphrase';

describe('users', () => {
  let t: TestApp;
  let admin: string;

  const newUser = (username: string, extra: Record<string, unknown> = {}) => ({
    username,
    password: PASSWORD,
    confirmPassword: PASSWORD,
    ...extra,
  });
  const post = (body: object, token = admin) => t.http.post('/api/v1/users').set(bearer(token)).send(body);
  const auditCount = async (): Promise<number> =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM audit_events'))[0].n);
  const userCount = async (): Promise<number> =>
    Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM users'))[0].n);

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t)).accessToken;
  });

  afterAll(async () => {
    await t.close();
  });

  describe('create', () => {
    it('creates an enabled internal user and answers 201 with Location, ETag and no secret', async () => {
      const response = await post(newUser('alice', { fullName: 'Alice Liddell', email: 'alice@example.com' }));
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`/api/v1/users/${response.body.id}`);
      expect(response.headers.etag).toBe('"1"');
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: 'alice',
        fullName: 'Alice Liddell',
        email: 'alice@example.com',
        phone: null,
        department: null,
        type: 'internal',
        directoryId: null,
        enabled: true,
        mustChangePassword: false,
        locked: false,
        lastLoginAt: null,
        lastActivityAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/argon2|passwordHash|"password"|a long enough/i);
      await login(t, 'alice', PASSWORD);
    });

    it.each([
      ['missing username', { password: PASSWORD, confirmPassword: PASSWORD }, 'username'],
      ['missing password', { username: 'u1', confirmPassword: PASSWORD }, 'password'],
      ['missing confirmation', { username: 'u1', password: PASSWORD }, 'confirmPassword'],
      ['a confirmation that differs', newUser('u1', { confirmPassword: 'something else entirely' }), 'confirmPassword'],
      ['a forbidden character', newUser('a/b'), 'username'],
      ['a percent sign', newUser('100%'), 'username'],
      ['a leading space', newUser(' bob'), 'username'],
      ['a trailing space', newUser('bob '), 'username'],
      ['a control character', newUser('bo\u0000b'), 'username'],
      ['an empty username', newUser(''), 'username'],
      ['a 101-character username', newUser('x'.repeat(101)), 'username'],
      ['a non-string username', newUser(42 as unknown as string), 'username'],
      ['a short password', { username: 'u1', password: 'short', confirmPassword: 'short' }, 'password'],
      ['a common password', { username: 'u1', password: 'iloveyou', confirmPassword: 'iloveyou' }, 'password'],
      [
        'the username as password',
        { username: 'Username1x', password: 'username1x', confirmPassword: 'username1x' },
        'password',
      ],
      [
        'a 129-character password',
        { username: 'u1', password: 'p'.repeat(129), confirmPassword: 'p'.repeat(129) },
        'password',
      ],
      ['an invalid email', newUser('u1', { email: 'not-an-email' }), 'email'],
      ['a non-boolean enabled', newUser('u1', { enabled: 'yes' }), 'enabled'],
      ['an unknown field', newUser('u1', { isAdmin: true }), 'isAdmin'],
      ['a password hash', newUser('u1', { passwordHash: 'x' }), 'passwordHash'],
    ])('rejects %s with 400 naming the field and writes nothing', async (_what, body, field) => {
      const [users, events] = [await userCount(), await auditCount()];
      const problem = expectProblem(await post(body), 400, 'validation_failed');
      expect((problem.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      expect(await userCount()).toBe(users);
      expect(await auditCount()).toBe(events);
    });

    it('accepts a 100-character Unicode username and stores it NFC-normalised', async () => {
      const name = 'Ж'.repeat(99) + 'e\u0301';
      const response = await post(newUser(name));
      expect(response.status).toBe(201);
      expect(response.body.username).toBe('Ж'.repeat(99) + 'é');
    });

    it('keeps usernames unique case-insensitively but accent-sensitively', async () => {
      expect((await post(newUser('José'))).status).toBe(201);
      expect((await post(newUser('Jose'))).status).toBe(201);
      expectProblem(await post(newUser('JOSÉ')), 409, 'username_taken');
      expectProblem(await post(newUser('jose\u0301')), 409, 'username_taken');
      expectProblem(await post(newUser('JOSE')), 409, 'username_taken');
      const users: { username: string }[] = await t.dataSource.query(
        "SELECT username FROM users WHERE username_key IN ('josé', 'jose') ORDER BY username_key",
      );
      expect(users.map((u) => u.username).sort()).toEqual(['Jose', 'José']);
      await login(t, 'JOSÉ', PASSWORD);
    });

    it('answers a taken username with 409 and writes no audit event', async () => {
      await post(newUser('Carol')).expect(201);
      const events = await auditCount();
      expectProblem(await post(newUser('carol')), 409, 'username_taken');
      expect(await auditCount()).toBe(events);
    });

    it('lets exactly one of ten concurrent creations of one username succeed', async () => {
      const responses = await Promise.all(Array.from({ length: 10 }, () => post(newUser('racer'))));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const rows = await t.dataSource.query("SELECT id FROM users WHERE username_key = 'racer'");
      expect(rows).toHaveLength(1);
    });

    it('creates a disabled user who must change the password when asked', async () => {
      const response = await post(newUser('dora', { enabled: false, mustChangePassword: true })).expect(201);
      expect(response.body).toMatchObject({ enabled: false, mustChangePassword: true });
      expectProblem(
        await t.http.post('/api/v1/auth/login').send({ username: 'dora', password: PASSWORD }),
        403,
        'account_disabled',
      );
    });
  });

  describe('read and edit', () => {
    it('reads a user with its ETag, and answers 404 for an unknown id and 400 for a malformed one', async () => {
      const created = await post(newUser('erin')).expect(201);
      const read = await t.http.get(`/api/v1/users/${created.body.id}`).set(bearer(admin)).expect(200);
      expect(read.body).toEqual(created.body);
      expect(read.headers.etag).toBe('"1"');
      expectProblem(
        await t.http.get('/api/v1/users/00000000-0000-4000-8000-00000000abcd').set(bearer(admin)),
        404,
        'not_found',
      );
      expectProblem(await t.http.get('/api/v1/users/not-a-uuid').set(bearer(admin)), 400, 'validation_failed');
    });

    it('edits profile fields, clears one with null, and bumps the ETag', async () => {
      const { body } = await post(newUser('frank', { phone: '+1 555 0100' })).expect(201);
      const response = await t.http
        .patch(`/api/v1/users/${body.id}`)
        .set(bearer(admin))
        .send({ fullName: 'Frank Zappa', department: 'Music', phone: null })
        .expect(200);
      expect(response.body).toMatchObject({
        fullName: 'Frank Zappa',
        department: 'Music',
        phone: null,
        username: 'frank',
      });
      expect(response.headers.etag).toBe('"2"');
      const found = await t.http.get('/api/v1/users').query({ search: 'zapp' }).set(bearer(admin)).expect(200);
      expect(found.body.items.map((u: { username: string }) => u.username)).toEqual(['frank']);
    });

    it('refuses to change the username', async () => {
      const { body } = await post(newUser('gina')).expect(201);
      const problem = expectProblem(
        await t.http.patch(`/api/v1/users/${body.id}`).set(bearer(admin)).send({ username: 'gina2' }),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([{ field: 'username', message: 'property username should not exist' }]);
    });

    it('honours If-Match: the current version wins, a stale one gets 412 and changes nothing', async () => {
      const { body } = await post(newUser('hank')).expect(201);
      const url = `/api/v1/users/${body.id}`;
      await t.http.patch(url).set(bearer(admin)).set('if-match', '"1"').send({ department: 'A' }).expect(200);
      expectProblem(
        await t.http.patch(url).set(bearer(admin)).set('if-match', '"1"').send({ department: 'B' }),
        412,
        'precondition_failed',
      );
      expectProblem(
        await t.http.patch(url).set(bearer(admin)).set('if-match', 'garbage').send({ department: 'B' }),
        412,
        'precondition_failed',
      );
      const read = await t.http.get(url).set(bearer(admin)).expect(200);
      expect(read.body.department).toBe('A');
      expect(read.headers.etag).toBe('"2"');
    });

    it('lets exactly one of several concurrent If-Match updates win', async () => {
      const { body } = await post(newUser('ivan')).expect(201);
      const responses = await Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((department) =>
          t.http.patch(`/api/v1/users/${body.id}`).set(bearer(admin)).set('if-match', '"1"').send({ department }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
    });
  });

  describe('enable, disable, delete', () => {
    it('disables idempotently, refusing the login and killing existing tokens at once', async () => {
      const user = await createUser(t);
      const { accessToken } = await login(t, user.username, user.password);
      await t.http.get('/api/v1/me').set(bearer(accessToken)).expect(200);

      const first = await t.http.post(`/api/v1/users/${user.id}/disable`).set(bearer(admin)).expect(200);
      expect(first.body.enabled).toBe(false);
      await t.http.post(`/api/v1/users/${user.id}/disable`).set(bearer(admin)).expect(200);
      expectProblem(await t.http.get('/api/v1/me').set(bearer(accessToken)), 401, 'unauthorized');
      expectProblem(
        await t.http.post('/api/v1/auth/login').send({ username: user.username, password: user.password }),
        403,
        'account_disabled',
      );

      const enabled = await t.http.post(`/api/v1/users/${user.id}/enable`).set(bearer(admin)).expect(200);
      expect(enabled.body.enabled).toBe(true);
      await t.http.post(`/api/v1/users/${user.id}/enable`).set(bearer(admin)).expect(200);
      await login(t, user.username, user.password);
    });

    it('deletes a user with memberships, assignments and sessions, and frees the username', async () => {
      const user = await createUser(t, { username: 'doomed', roles: [PREDEFINED_ROLES.resourceReviewer] });
      const { accessToken } = await login(t, user.username, user.password);
      const group = await t.http
        .post('/api/v1/groups')
        .set(bearer(admin))
        .send({ name: 'Doomed group', memberIds: [user.id] })
        .expect(201);
      expect(group.body.memberCount).toBe(1);

      await t.http.delete(`/api/v1/users/${user.id}`).set(bearer(admin)).expect(204);

      expectProblem(await t.http.get(`/api/v1/users/${user.id}`).set(bearer(admin)), 404, 'not_found');
      expectProblem(await t.http.get('/api/v1/me').set(bearer(accessToken)), 401, 'unauthorized');
      for (const [table, column] of [
        ['group_members', 'user_id'],
        ['role_assignments', 'principal_id'],
        ['sessions', 'user_id'],
      ]) {
        expect(await t.dataSource.query(`SELECT * FROM ${table} WHERE ${column} = ?`, [user.id])).toEqual([]);
      }
      const after = await t.http.get(`/api/v1/groups/${group.body.id}`).set(bearer(admin)).expect(200);
      expect(after.body.memberCount).toBe(0);
      expect(await inconsistencies(t.dataSource)).toEqual([]);
      expectProblem(await t.http.delete(`/api/v1/users/${user.id}`).set(bearer(admin)), 404, 'not_found');
      await post(newUser('DOOMED')).expect(201);
    });

    it('never disables or deletes the last administrator', async () => {
      const [me] = await t.dataSource.query("SELECT id FROM users WHERE username_key = 'admin'");
      expectProblem(await t.http.post(`/api/v1/users/${me.id}/disable`).set(bearer(admin)), 409, 'last_administrator');
      expectProblem(
        await t.http.patch(`/api/v1/users/${me.id}`).set(bearer(admin)).send({ enabled: false }),
        409,
        'last_administrator',
      );
      expectProblem(await t.http.delete(`/api/v1/users/${me.id}`).set(bearer(admin)), 409, 'last_administrator');
      await t.http.get('/api/v1/me').set(bearer(admin)).expect(200);

      const other = await createUser(t, { roles: [PREDEFINED_ROLES.userManager, PREDEFINED_ROLES.securityManager] });
      const otherToken = (await login(t, other.username, other.password)).accessToken;
      await t.http.post(`/api/v1/users/${other.id}/disable`).set(bearer(admin)).expect(200);
      expectProblem(await t.http.post(`/api/v1/users/${me.id}/disable`).set(bearer(admin)), 409, 'last_administrator');
      await t.http.post(`/api/v1/users/${other.id}/enable`).set(bearer(admin)).expect(200);
      const second = (await login(t, other.username, other.password)).accessToken;
      expect(second).not.toBe(otherToken);
      await t.http.post(`/api/v1/users/${me.id}/disable`).set(bearer(second)).expect(200);
      await t.http.post(`/api/v1/users/${me.id}/enable`).set(bearer(second)).expect(200);
      admin = (await login(t)).accessToken;
    });
  });

  describe('passwords', () => {
    it('lets an administrator reset a password, ending the sessions and asking for a change', async () => {
      const user = await createUser(t);
      const { accessToken } = await login(t, user.username, user.password);
      await t.http
        .put(`/api/v1/users/${user.id}/password`)
        .set(bearer(admin))
        .send({
          newPassword: 'brand new passphrase',
          confirmPassword: 'brand new passphrase',
          mustChangePassword: true,
        })
        .expect(204);
      expectProblem(await t.http.get('/api/v1/me').set(bearer(accessToken)), 401, 'unauthorized');
      expectProblem(
        await t.http.post('/api/v1/auth/login').send({ username: user.username, password: user.password }),
        401,
        'invalid_credentials',
      );
      const relogin = await t.http
        .post('/api/v1/auth/login')
        .send({ username: user.username, password: 'brand new passphrase' })
        .expect(200);
      expect(relogin.body.mustChangePassword).toBe(true);
    });

    it('applies the policy to a reset', async () => {
      const user = await createUser(t);
      const problem = expectProblem(
        await t.http
          .put(`/api/v1/users/${user.id}/password`)
          .set(bearer(admin))
          .send({ newPassword: 'password1', confirmPassword: 'password1' }),
        400,
        'validation_failed',
      );
      expect(problem.errors).toEqual([{ field: 'newPassword', message: 'is one of the most common passwords' }]);
    });
  });

  describe('self-service', () => {
    it('shows and edits my own profile but not the Enabled switch', async () => {
      const user = await createUser(t);
      const { accessToken } = await login(t, user.username, user.password);
      const me = await t.http.get('/api/v1/me').set(bearer(accessToken)).expect(200);
      expect(me.body).toMatchObject({ id: user.id, username: user.username, permissions: [] });
      const admins = await t.http.get('/api/v1/me').set(bearer(admin)).expect(200);
      expect(admins.body.permissions).toEqual(
        expect.arrayContaining([
          { permission: 'users.create', scope: 'global', via: [{ roleId: PREDEFINED_ROLES.userManager }] },
          { permission: 'audit.read', scope: 'global', via: [{ roleId: PREDEFINED_ROLES.serverAdministrator }] },
        ]),
      );
      const updated = await t.http
        .patch('/api/v1/me')
        .set(bearer(accessToken))
        .send({ fullName: 'Me Myself' })
        .expect(200);
      expect(updated.body.fullName).toBe('Me Myself');
      expectProblem(
        await t.http.patch('/api/v1/me').set(bearer(accessToken)).send({ enabled: false }),
        400,
        'validation_failed',
      );
      expectProblem(await t.http.get(`/api/v1/users/${user.id}`).set(bearer(accessToken)), 403, 'forbidden');
      expectProblem(
        await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(accessToken)).send({ fullName: 'x' }),
        403,
        'forbidden',
      );
    });

    it('changes my password: wrong current → 400, same → 400, success → new pair and old tokens dead', async () => {
      const user = await createUser(t);
      const { accessToken } = await login(t, user.username, user.password);
      const change = (body: object) => t.http.put('/api/v1/me/password').set(bearer(accessToken)).send(body);
      expectProblem(
        await change({
          currentPassword: 'wrong guess here',
          newPassword: 'next passphrase!',
          confirmPassword: 'next passphrase!',
        }),
        400,
        'invalid_current_password',
      );
      expectProblem(
        await change({ currentPassword: user.password, newPassword: user.password, confirmPassword: user.password }),
        400,
        'validation_failed',
      );
      expectProblem(
        await change({ currentPassword: user.password, newPassword: 'next passphrase!', confirmPassword: 'other' }),
        400,
        'validation_failed',
      );
      const response = await change({
        currentPassword: user.password,
        newPassword: 'next passphrase!',
        confirmPassword: 'next passphrase!',
      }).expect(200);
      expect(response.body).toMatchObject({
        tokenType: 'Bearer',
        accessToken: expect.any(String),
        mustChangePassword: false,
      });
      expectProblem(await t.http.get('/api/v1/me').set(bearer(accessToken)), 401, 'unauthorized');
      await t.http.get('/api/v1/me').set(bearer(response.body.accessToken)).expect(200);
      await login(t, user.username, 'next passphrase!');
    });
  });

  describe('search, count and pages', () => {
    let manager: string;

    beforeAll(async () => {
      const m = await createUser(t, { roles: [PREDEFINED_ROLES.userManager] });
      manager = (await login(t, m.username, m.password)).accessToken;
      for (const [username, fullName, email, enabled] of [
        ['zed.one', 'Zed Ünal', 'zed1@corp.example', true],
        ['zed.two', 'Someone Else', 'ZED2@corp.example', false],
        ['zz_under', 'Under Score', 'u@corp.example', true],
      ] as const) {
        await createUser(t, { username, fullName, email, enabled });
      }
    });

    const list = (query: Record<string, unknown>) =>
      t.http.get('/api/v1/users').query(query).set(bearer(manager)).expect(200);

    it('finds users by a case-insensitive substring of username, full name or email', async () => {
      expect((await list({ search: 'ZED' })).body.items.map((u: { username: string }) => u.username)).toEqual([
        'zed.one',
        'zed.two',
      ]);
      expect((await list({ search: 'ünal' })).body.items.map((u: { username: string }) => u.username)).toEqual([
        'zed.one',
      ]);
      expect((await list({ search: 'zed2@' })).body.items.map((u: { username: string }) => u.username)).toEqual([
        'zed.two',
      ]);
      expect((await list({ search: '_' })).body.items.map((u: { username: string }) => u.username)).toEqual([
        'zz_under',
      ]);
      expect((await list({ search: '%' })).body.items).toEqual([]);
    });

    describe('through the trigram index', () => {
      const names = async (search: string) =>
        (await list({ search })).body.items.map((u: { username: string }) => u.username);

      it('keeps up with edits and deletes, and finds nothing for a trigram nobody has', async () => {
        const user = await createUser(t, { username: 'tri.gram', fullName: 'Quentin Xylo' });
        expect(await names('xylo')).toEqual(['tri.gram']);
        await t.http
          .patch(`/api/v1/users/${user.id}`)
          .set(bearer(admin))
          .send({ fullName: 'Quentin Vibra' })
          .expect(200);
        expect(await names('xylo')).toEqual([]);
        expect(await names('vibra')).toEqual(['tri.gram']);
        expect(await names('qqqzzz')).toEqual([]);
        await t.http.delete(`/api/v1/users/${user.id}`).set(bearer(admin)).expect(204);
        expect(await names('vibra')).toEqual([]);
        const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM user_search_grams WHERE user_id = ?', [
          user.id,
        ]);
        expect(Number((row as { n: number | string }).n)).toBe(0);
      });

      it('finds terms whose trigrams turned common by scanning, and terms shorter than a trigram', async () => {
        await createUser(t, { username: 'commonplace', fullName: 'Often Seen' });
        const renamed = await createUser(t, { username: 'plain.user', fullName: 'Plain' });
        // As if thousands of users had them: common trigrams lose their postings.
        const common = ['com', 'omm', 'mmo', 'mon'];
        const list = common.map(() => '?').join(', ');
        await t.dataSource.query(`UPDATE search_grams SET common = 1 WHERE gram IN (${list})`, common);
        await t.dataSource.query(`DELETE FROM user_search_grams WHERE gram IN (${list})`, common);
        expect(await names('common')).toEqual(['commonplace']);
        expect(await names('commonpl')).toEqual(['commonplace']);
        const count = await t.http
          .get('/api/v1/users/count')
          .query({ search: 'common' })
          .set(bearer(admin))
          .expect(200);
        expect(count.body).toEqual({ count: 1 });
        // The scan checks each user's trigram bloom, which an edit keeps up to date.
        await t.http
          .patch(`/api/v1/users/${renamed.id}`)
          .set(bearer(admin))
          .send({ fullName: 'Commonwealth' })
          .expect(200);
        expect(await names('common')).toEqual(['commonplace', 'plain.user']);
        expect(await names('ft')).toEqual(['commonplace']);
      });
    });

    it('finds users by a case-insensitive username prefix, not by other fields or the middle of a name', async () => {
      const names = async (query: Record<string, unknown>) =>
        (await list(query)).body.items.map((u: { username: string }) => u.username);
      expect(await names({ usernamePrefix: 'ZED.' })).toEqual(['zed.one', 'zed.two']);
      expect(await names({ usernamePrefix: 'zed.one' })).toEqual(['zed.one']);
      expect(await names({ usernamePrefix: 'ed.' })).toEqual([]);
      expect(await names({ usernamePrefix: 'someone' })).toEqual([]);
      expect(await names({ usernamePrefix: 'zz_' })).toEqual(['zz_under']);
      expect(await names({ usernamePrefix: 'z_' })).toEqual([]);
      expect(await names({ usernamePrefix: 'zed', search: 'ünal' })).toEqual(['zed.one']);
      const count = await t.http
        .get('/api/v1/users/count')
        .query({ usernamePrefix: 'zed.' })
        .set(bearer(manager))
        .expect(200);
      expect(count.body).toEqual({ count: 2 });
    });

    it('filters by enabled and type, and counts with the same filters', async () => {
      expect(
        (await list({ search: 'zed', enabled: 'false' })).body.items.map((u: { username: string }) => u.username),
      ).toEqual(['zed.two']);
      expect((await list({ search: 'zed', type: 'external' })).body.items).toEqual([]);
      const count = await t.http.get('/api/v1/users/count').query({ search: 'zed' }).set(bearer(manager)).expect(200);
      expect(count.body).toEqual({ count: 2 });
      const summary = await t.http.get('/api/v1/directory-summary').set(bearer(manager)).expect(200);
      expect(summary.body).toMatchObject({ internalUsers: expect.any(Number), externalUsers: 0 });
    });

    it.each([
      ['an unknown sort', { sort: 'password' }],
      ['a limit of 0', { limit: 0 }],
      ['a limit of 201', { limit: 201 }],
      ['a non-boolean enabled', { enabled: 'maybe' }],
      ['a forged cursor', { cursor: 'eyJ4Ijox' }],
      ['an unknown parameter', { admin: 'true' }],
    ])('rejects %s with 400', async (_what, query) => {
      const response = await t.http.get('/api/v1/users').query(query).set(bearer(manager));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    });

    it.each(['username', '-username', 'createdAt', '-createdAt', 'lastActivityAt', '-lastActivityAt'])(
      'walks every user exactly once by %s while users are inserted between pages',
      async (sort) => {
        const before: string[] = (await t.dataSource.query('SELECT id FROM users')).map((r: { id: string }) => r.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        let inserted = 0;
        do {
          const page = await list({ sort, limit: 3, ...(cursor ? { cursor } : {}) });
          seen.push(...page.body.items.map((u: { id: string }) => u.id));
          cursor = page.body.nextCursor;
          if (inserted < 4) {
            await createUser(t, { username: `inserted-${sort}-${inserted++}` });
          }
        } while (cursor);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining(before));
      },
    );

    it('orders pages by username', async () => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list({ limit: 4, ...(cursor ? { cursor } : {}) });
        all.push(...page.body.items.map((u: { username: string }) => u.username.toLowerCase()));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(all).toEqual([...all].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    });
  });

  describe('audit', () => {
    it('records every change and login with the actor, never a password', async () => {
      const [me] = await t.dataSource.query("SELECT id FROM users WHERE username_key = 'admin'");
      const { body } = await post(newUser('audited')).expect(201);
      await t.http.post(`/api/v1/users/${body.id}/disable`).set(bearer(admin)).expect(200);
      await t.http.delete(`/api/v1/users/${body.id}`).set(bearer(admin)).expect(204);
      await t.http
        .post('/api/v1/auth/login')
        .send({ username: ADMIN.username, password: 'wrong password!' })
        .expect(401);

      const events = await t.http
        .get('/api/v1/audit-events')
        .query({ targetId: body.id })
        .set(bearer(admin))
        .expect(200);
      expect(events.body.items.map((e: { action: string }) => e.action)).toEqual([
        'user.delete',
        'user.disable',
        'user.create',
      ]);
      expect(events.body.items.every((e: { actorId: string }) => e.actorId === me.id)).toBe(true);
      const failures = await t.http
        .get('/api/v1/audit-events')
        .query({ action: 'auth.login', targetId: me.id, limit: 1 })
        .set(bearer(admin))
        .expect(200);
      expect(failures.body.items[0]).toMatchObject({ outcome: 'failure', details: { reason: 'invalid_credentials' } });
      const all = JSON.stringify(await t.dataSource.query('SELECT * FROM audit_events'));
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain('wrong password!');
      expect(all).not.toContain('$argon2');
    });

    it('is readable only with audit.read', async () => {
      const user = await createUser(t, { roles: [PREDEFINED_ROLES.userManager] });
      const { accessToken } = await login(t, user.username, user.password);
      expectProblem(await t.http.get('/api/v1/audit-events').set(bearer(accessToken)), 403, 'forbidden');
    });
  });
});
