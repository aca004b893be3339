import { randomUUID } from 'node:crypto';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createUser } from './factories/user.factory';
import { inconsistencies } from './helpers/consistency';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

type Items<T> = { items: T[] };
const names = (body: unknown): string[] => (body as Items<{ name: string }>).items.map((g) => g.name);
const ids = (body: unknown): string[] => (body as Items<{ id: string }>).items.map((m) => m.id);

describe('groups', () => {
  let t: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer((await login(t)).accessToken);
  });

  afterAll(async () => {
    await t.close();
  });

  async function caller(roles: string[]): Promise<{ authorization: string }> {
    const user = await createUser(t, { roles });
    return bearer((await login(t, user.username, user.password)).accessToken);
  }

  async function createGroup(body: Record<string, unknown>): Promise<{ id: string; name: string }> {
    const response = await t.http.post('/api/v1/groups').set(admin).send(body).expect(201);
    return response.body as { id: string; name: string };
  }

  async function insertExternalGroup(name: string): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await t.dataSource.query(
      "INSERT INTO user_groups (id, name, name_key, description, type, directory_id, created_at, updated_at, version) VALUES (?, ?, ?, NULL, 'external', NULL, ?, ?, 1)",
      [id, name, name.toLowerCase(), now, now],
    );
    return id;
  }

  it('creates a group with members and answers 201, Location and ETag', async () => {
    const alice = await createUser(t);
    const response = await t.http
      .post('/api/v1/groups')
      .set(admin)
      .send({ name: 'Modelers', description: 'Edit models', memberIds: [alice.id] })
      .expect(201);
    expect(response.body).toMatchObject({
      name: 'Modelers',
      description: 'Edit models',
      type: 'internal',
      directoryId: null,
      memberCount: 1,
    });
    expect(response.headers.location).toBe(`/api/v1/groups/${response.body.id}`);
    expect(response.headers.etag).toBe('"1"');
    const got = await t.http.get(String(response.headers.location)).set(admin).expect(200);
    expect(got.body).toEqual(response.body);
  });

  it('rejects a name taken case-insensitively with 409 group_name_taken, but not an accented one', async () => {
    await createGroup({ name: 'Reviewers' });
    expectProblem(await t.http.post('/api/v1/groups').set(admin).send({ name: 'REVIEWERS' }), 409, 'group_name_taken');
    await createGroup({ name: 'Révieweurs' });
  });

  it.each([[''], [' Leading'], ['Trailing '], ['a/b'], ['a%b'], ['tab\tname'], ['x'.repeat(101)]])(
    'rejects the name %j with 400',
    async (name) => {
      expectProblem(await t.http.post('/api/v1/groups').set(admin).send({ name }), 400, 'validation_failed');
    },
  );

  it('creates nothing when a member id is unknown', async () => {
    const response = await t.http
      .post('/api/v1/groups')
      .set(admin)
      .send({ name: 'Ghosts', memberIds: [randomUUID()] });
    expectProblem(response, 404, 'not_found');
    const count = await t.http.get('/api/v1/groups/count').query({ search: 'ghosts' }).set(admin).expect(200);
    expect(count.body).toEqual({ count: 0 });
  });

  it('lists, searches, filters by type and pages in name order both ways', async () => {
    for (const name of ['Paging C', 'paging a', 'Paging B', 'Paging_D']) {
      await createGroup({ name });
    }
    await insertExternalGroup('Paging External');
    const first = await t.http.get('/api/v1/groups').query({ search: 'PAGING', limit: 2 }).set(admin).expect(200);
    expect(names(first.body)).toEqual(['paging a', 'Paging B']);
    const second = await t.http
      .get('/api/v1/groups')
      .query({ search: 'paging', limit: 2, cursor: first.body.nextCursor })
      .set(admin)
      .expect(200);
    expect(names(second.body)).toEqual(['Paging C', 'Paging External']);
    const descending = await t.http
      .get('/api/v1/groups')
      .query({ search: 'paging', sort: '-name' })
      .set(admin)
      .expect(200);
    expect(descending.body.items[0].name).toBe('Paging_D');
    const underscore = await t.http.get('/api/v1/groups').query({ search: 'g_' }).set(admin).expect(200);
    expect(names(underscore.body)).toEqual(['Paging_D']);
    const external = await t.http.get('/api/v1/groups').query({ type: 'external', search: 'paging' }).set(admin);
    expect(names(external.body)).toEqual(['Paging External']);
    const count = await t.http.get('/api/v1/groups/count').query({ search: 'paging', type: 'internal' }).set(admin);
    expect(count.body).toEqual({ count: 4 });
  });

  it('honours If-Match on PATCH with 412 when stale', async () => {
    const group = await createGroup({ name: 'Etag group' });
    const renamed = await t.http
      .patch(`/api/v1/groups/${group.id}`)
      .set(admin)
      .set('if-match', '"1"')
      .send({ name: 'Etag group 2', description: null })
      .expect(200);
    expect(renamed.body.name).toBe('Etag group 2');
    expect(renamed.headers.etag).toBe('"2"');
    const stale = await t.http
      .patch(`/api/v1/groups/${group.id}`)
      .set(admin)
      .set('if-match', '"1"')
      .send({ description: 'x' });
    expectProblem(stale, 412, 'precondition_failed');
    const unchanged = await t.http.get(`/api/v1/groups/${group.id}`).set(admin).expect(200);
    expect(unchanged.body.description).toBeNull();
  });

  it('renaming onto another group name answers 409', async () => {
    const group = await createGroup({ name: 'Rename me' });
    await createGroup({ name: 'Taken name' });
    expectProblem(
      await t.http.patch(`/api/v1/groups/${group.id}`).set(admin).send({ name: 'taken NAME' }),
      409,
      'group_name_taken',
    );
  });

  it('keeps external groups read-only but lets them take role assignments', async () => {
    const id = await insertExternalGroup('LDAP people');
    const user = await createUser(t);
    expectProblem(
      await t.http.patch(`/api/v1/groups/${id}`).set(admin).send({ description: 'x' }),
      409,
      'read_only_external',
    );
    expectProblem(await t.http.put(`/api/v1/groups/${id}/members/${user.id}`).set(admin), 409, 'read_only_external');
    expectProblem(
      await t.http
        .patch(`/api/v1/groups/${id}/members`)
        .set(admin)
        .send({ add: [user.id] }),
      409,
      'read_only_external',
    );
    await t.http
      .post(`/api/v1/groups/${id}/role-assignments`)
      .set(admin)
      .send({ roleId: PREDEFINED_ROLES.resourceReviewer })
      .expect(201);
  });

  it('changes members atomically: one unknown id changes nothing', async () => {
    const [a, b, c] = [await createUser(t), await createUser(t), await createUser(t)];
    const group = await createGroup({ name: 'Atomic', memberIds: [a.id] });
    const failed = await t.http
      .patch(`/api/v1/groups/${group.id}/members`)
      .set(admin)
      .send({ add: [b.id, randomUUID()], remove: [a.id] });
    expectProblem(failed, 404, 'not_found');
    let members = await t.http.get(`/api/v1/groups/${group.id}/members`).set(admin).expect(200);
    expect(ids(members.body)).toEqual([a.id]);

    const changed = await t.http
      .patch(`/api/v1/groups/${group.id}/members`)
      .set(admin)
      .send({ add: [b.id, c.id], remove: [a.id] })
      .expect(200);
    expect(changed.body.memberCount).toBe(2);
    members = await t.http.get(`/api/v1/groups/${group.id}/members`).set(admin).expect(200);
    expect(ids(members.body).sort()).toEqual([b.id, c.id].sort());
    expect(members.body.items[0]).toEqual({
      id: expect.any(String),
      username: expect.any(String),
      fullName: null,
      email: null,
      type: 'internal',
      enabled: true,
    });
  });

  it('adds and removes single members idempotently and lists a user’s groups', async () => {
    const user = await createUser(t);
    const group = await createGroup({ name: 'Singles' });
    await t.http.put(`/api/v1/groups/${group.id}/members/${user.id}`).set(admin).expect(204);
    await t.http.put(`/api/v1/groups/${group.id}/members/${user.id}`).set(admin).expect(204);
    const groups = await t.http.get(`/api/v1/users/${user.id}/groups`).set(admin).expect(200);
    expect(groups.body).toMatchObject({ items: [{ id: group.id, memberCount: 1 }], nextCursor: null });
    await t.http.delete(`/api/v1/groups/${group.id}/members/${user.id}`).set(admin).expect(204);
    await t.http.delete(`/api/v1/groups/${group.id}/members/${user.id}`).set(admin).expect(204);
    const after = await t.http.get(`/api/v1/users/${user.id}/groups`).set(admin).expect(200);
    expect(after.body.items).toEqual([]);
    expectProblem(await t.http.put(`/api/v1/groups/${group.id}/members/${randomUUID()}`).set(admin), 404, 'not_found');
    expectProblem(await t.http.get(`/api/v1/users/${randomUUID()}/groups`).set(admin), 404, 'not_found');
    expectProblem(await t.http.get('/api/v1/groups/not-a-uuid').set(admin), 400, 'validation_failed');
  });

  it('pages members in username order', async () => {
    const users = [];
    for (const name of ['m-carol', 'm-alice', 'm-bob']) {
      users.push(await createUser(t, { username: name }));
    }
    const group = await createGroup({ name: 'Paged members', memberIds: users.map((u) => u.id) });
    const first = await t.http.get(`/api/v1/groups/${group.id}/members`).query({ limit: 2 }).set(admin).expect(200);
    expect((first.body as Items<{ username: string }>).items.map((m) => m.username)).toEqual(['m-alice', 'm-bob']);
    const second = await t.http
      .get(`/api/v1/groups/${group.id}/members`)
      .query({ limit: 2, cursor: first.body.nextCursor })
      .set(admin)
      .expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ username: 'm-carol' })], nextCursor: null });
  });

  it('keeps exactly 20 members after 20 concurrent adds', async () => {
    const group = await createGroup({ name: 'Crowd' });
    const users = [];
    for (let i = 0; i < 20; i++) {
      users.push(await createUser(t));
    }
    const responses = await Promise.all(
      users.map((u) => t.http.put(`/api/v1/groups/${group.id}/members/${u.id}`).set(admin)),
    );
    expect(responses.map((r) => r.status)).toEqual(users.map(() => 204));
    const got = await t.http.get(`/api/v1/groups/${group.id}`).set(admin).expect(200);
    expect(got.body.memberCount).toBe(20);
    expect(await inconsistencies(t.dataSource)).toEqual([]);
  });

  it('deletes a group with its memberships and assignments; members lose its roles at once', async () => {
    const member = await createUser(t);
    const group = await createGroup({ name: 'Doomed', memberIds: [member.id] });
    await t.http
      .post(`/api/v1/groups/${group.id}/role-assignments`)
      .set(admin)
      .send({ roleId: PREDEFINED_ROLES.userManager })
      .expect(201);
    const token = bearer((await login(t, member.username, member.password)).accessToken);
    await t.http.get('/api/v1/groups').set(token).expect(200);
    await t.http.delete(`/api/v1/groups/${group.id}`).set(admin).expect(204);
    expectProblem(await t.http.get('/api/v1/groups').set(token), 403, 'forbidden');
    expectProblem(await t.http.get(`/api/v1/groups/${group.id}`).set(admin), 404, 'not_found');
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      "SELECT COUNT(*) AS n FROM role_assignments WHERE principal_type = 'group' AND principal_id = ?",
      [group.id],
    );
    expect(Number(n)).toBe(0);
  });

  it('writes an audit event for each change', async () => {
    const group = await createGroup({ name: 'Audited' });
    const rows = await t.dataSource.query<{ action: string }[]>('SELECT action FROM audit_events WHERE target_id = ?', [
      group.id,
    ]);
    expect(rows.map((r) => r.action)).toEqual(['group.created']);
  });

  describe('permissions', () => {
    it('lets a User Manager write and a Security Manager (users.list) only read', async () => {
      const userManager = await caller([PREDEFINED_ROLES.userManager]);
      const securityManager = await caller([PREDEFINED_ROLES.securityManager]);
      const created = await t.http.post('/api/v1/groups').set(userManager).send({ name: 'By UM' }).expect(201);
      await t.http.get(`/api/v1/groups/${created.body.id}`).set(securityManager).expect(200);
      await t.http.get(`/api/v1/groups/${created.body.id}/members`).set(securityManager).expect(200);
      expectProblem(await t.http.post('/api/v1/groups').set(securityManager).send({ name: 'By SM' }), 403, 'forbidden');
      expectProblem(await t.http.delete(`/api/v1/groups/${created.body.id}`).set(securityManager), 403, 'forbidden');
    });

    it('forbids a Server Administrator and a user without roles', async () => {
      for (const token of [await caller([PREDEFINED_ROLES.serverAdministrator]), await caller([])]) {
        expectProblem(await t.http.get('/api/v1/groups').set(token), 403, 'forbidden');
        expectProblem(await t.http.post('/api/v1/groups').set(token).send({ name: 'Nope' }), 403, 'forbidden');
      }
    });

    it('lets a Service Client read groups (users.list) but not change them', async () => {
      const client = await caller([PREDEFINED_ROLES.serviceClient]);
      await t.http.get('/api/v1/groups/count').set(client).expect(200);
      expectProblem(await t.http.post('/api/v1/groups').set(client).send({ name: 'Nope' }), 403, 'forbidden');
    });
  });
});
