import { randomUUID } from 'node:crypto';
import { createUser } from '../factories/user.factory';
import { inconsistencies } from '../helpers/consistency';
import { bearer, login, startTestApp, TestApp } from '../helpers/test-app';

/**
 * Races through the real app: the requests run concurrently inside one process, interleaving at every await,
 * on SQLite by default and on MariaDB when TEST_DATABASE_URL is set.
 */
describe('concurrency', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t)).accessToken;
  });

  afterAll(async () => {
    await t?.close();
  });

  function send(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, headers = {}) {
    return t.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method, url, payload, headers: { ...bearer(admin), ...headers } });
  }

  it('lets exactly one of parallel PATCHes with the same If-Match win; the others get 412', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(t);
      const read = await send('GET', `/api/v1/users/${user.id}`);
      const etag = read.headers.etag as string;
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          send('PATCH', `/api/v1/users/${user.id}`, { fullName: `Writer ${i}` }, { 'if-match': etag }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
      const winner = responses.find((r) => r.statusCode === 200)!.json<{ fullName: string }>();
      const after = await send('GET', `/api/v1/users/${user.id}`);
      expect(after.json()).toMatchObject({ fullName: winner.fullName });
      expect(after.headers.etag).not.toBe(etag);
    }
  });

  it('leaves one consistent user after parallel creates and deletes of one username', async () => {
    for (let round = 0; round < 5; round++) {
      const username = `race-${randomUUID().slice(0, 8)}`;
      const body = { username, password: 'Race pass phrase 2026', confirmPassword: 'Race pass phrase 2026' };
      const first = await send('POST', '/api/v1/users', body);
      expect(first.statusCode).toBe(201);
      const id = first.json<{ id: string }>().id;
      const responses = await Promise.all([
        send('DELETE', `/api/v1/users/${id}`),
        send('POST', '/api/v1/users', body),
        send('DELETE', `/api/v1/users/${id}`),
        send('POST', '/api/v1/users', { ...body, username: username.toUpperCase() }),
        send('DELETE', `/api/v1/users/${id}`),
        send('POST', '/api/v1/users', body),
      ]);
      const deletes = [0, 2, 4].map((i) => responses[i].statusCode).sort();
      const creates = [1, 3, 5].map((i) => responses[i].statusCode);
      expect(deletes).toEqual([204, 404, 404]);
      expect(creates.every((s) => s === 201 || s === 409)).toBe(true);
      expect(creates.filter((s) => s === 201).length).toBeLessThanOrEqual(1);
      const rows = await t.dataSource.query<{ id: string }[]>('SELECT id FROM users WHERE username_key = ?', [
        username,
      ]);
      expect(rows.length).toBe(creates.filter((s) => s === 201).length);
    }
  });

  it('leaves no orphan memberships or assignments when users and groups are deleted mid-change', async () => {
    const role = await send('POST', '/api/v1/roles', {
      name: `race-role-${randomUUID()}`,
      permissions: ['resources.read'],
    });
    const roleId = role.json<{ id: string }>().id;
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const users = await Promise.all(Array.from({ length: 4 }, () => createUser(t)));
      const group = await send('POST', '/api/v1/groups', { name: `race-${randomUUID()}` });
      const groupId = group.json<{ id: string }>().id;
      const responses = await Promise.all([
        ...users.map((u) => send('PUT', `/api/v1/groups/${groupId}/members/${u.id}`)),
        send('PATCH', `/api/v1/groups/${groupId}/members`, { add: users.map((u) => u.id) }),
        ...users.map((u) => send('POST', `/api/v1/users/${u.id}/role-assignments`, { roleId })),
        send('POST', `/api/v1/groups/${groupId}/role-assignments`, { roleId }),
        ...users.slice(0, 2).map((u) => send('DELETE', `/api/v1/users/${u.id}`)),
        send('DELETE', `/api/v1/groups/${groupId}`),
      ]);
      statuses.push(...responses.map((r) => r.statusCode));
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(await inconsistencies(t.dataSource)).toEqual([]);
  });

  it('keeps memberCount true through parallel adds, removes and deletes of members', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const users = await Promise.all(Array.from({ length: 6 }, () => createUser(t)));
      const ids = users.map((u) => u.id);
      const group = await send('POST', '/api/v1/groups', { name: `count-${randomUUID()}`, memberIds: ids.slice(0, 3) });
      const groupId = group.json<{ id: string }>().id;
      const responses = await Promise.all([
        ...ids.map((id) => send('PUT', `/api/v1/groups/${groupId}/members/${id}`)),
        send('PATCH', `/api/v1/groups/${groupId}/members`, { add: ids.slice(3), remove: ids.slice(0, 2) }),
        send('PATCH', `/api/v1/groups/${groupId}/members`, { add: ids.slice(1, 4) }),
        ...ids.slice(2, 4).map((id) => send('DELETE', `/api/v1/groups/${groupId}/members/${id}`)),
        ...ids.slice(4).map((id) => send('DELETE', `/api/v1/users/${id}`)),
      ]);
      statuses.push(...responses.map((r) => r.statusCode));
      const members = await t.dataSource.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?',
        [groupId],
      );
      const got = await send('GET', `/api/v1/groups/${groupId}`);
      expect(got.json<{ memberCount: number }>().memberCount).toBe(Number(members[0].n));
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(await inconsistencies(t.dataSource)).toEqual([]);
  });

  it('logs one user in from parallel requests without a deadlock or a change of its ETag', async () => {
    const user = await createUser(t);
    const etag = (await send('GET', `/api/v1/users/${user.id}`)).headers.etag;
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.app
            .getHttpAdapter()
            .getInstance()
            .inject({
              method: 'POST',
              url: '/api/v1/auth/login',
              payload: { username: user.username, password: user.password },
            }),
        ),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    }
    const after = await send('GET', `/api/v1/users/${user.id}`);
    expect(after.json<{ lastLoginAt: string | null }>().lastLoginAt).not.toBeNull();
    expect(after.headers.etag).toBe(etag);
  });

  it('lets exactly one of parallel refreshes of one token win, and treats the others as reuse', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await createUser(t);
      const pair = await login(t, user.username, user.password);
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.app
            .getHttpAdapter()
            .getInstance()
            .inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
      // Reuse detection: presenting a spent token ends the session, so even the winner's new tokens are dead.
      const winner = responses.find((r) => r.statusCode === 200)!.json<{ accessToken: string; refreshToken: string }>();
      const again = await t.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: winner.refreshToken } });
      expect(again.statusCode).toBe(401);
      const me = await t.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: '/api/v1/me', headers: bearer(winner.accessToken) });
      expect(me.statusCode).toBe(401);
    }
  });
});
