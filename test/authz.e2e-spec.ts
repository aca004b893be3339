import { randomUUID } from 'node:crypto';
import { MAX_CACHED_GRANTS } from '../src/authz/authz.repository';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createUser, CreatedUser } from './factories/user.factory';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

type Token = { authorization: string };

describe('authorization checks and effective permissions', () => {
  let t: TestApp;
  let admin: Token;
  let client: Token;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer((await login(t)).accessToken);
    const service = await createUser(t, { roles: [PREDEFINED_ROLES.serviceClient] });
    client = bearer((await login(t, service.username, service.password)).accessToken);
  });

  afterAll(async () => {
    await t.close();
  });

  const check = (body: Record<string, unknown>, token: Token = client) =>
    t.http.post('/api/v1/authz/check').set(token).send(body);

  async function allowed(userId: string, permission: string, resource?: string): Promise<boolean> {
    const response = await check({ userId, permission, ...(resource ? { resource } : {}) }).expect(200);
    return (response.body as { allowed: boolean }).allowed;
  }

  async function assign(type: 'users' | 'groups', id: string, roleId: string, resources?: string[]): Promise<string> {
    const response = await t.http
      .post(`/api/v1/${type}/${id}/role-assignments`)
      .set(admin)
      .send({ roleId, ...(resources ? { resources } : {}) })
      .expect(201);
    return (response.body as { id: string }).id;
  }

  it('grants a resource-scoped assignment only on its resources', async () => {
    const user = await createUser(t);
    await assign('users', user.id, PREDEFINED_ROLES.resourceContributor, ['project:1']);
    expect(await allowed(user.id, 'resources.edit', 'project:1')).toBe(true);
    expect(await allowed(user.id, 'resources.edit', 'project:2')).toBe(false);
    expect(await allowed(user.id, 'resources.edit')).toBe(false);
    expect(await allowed(user.id, 'resources.remove', 'project:1')).toBe(false);
  });

  it('grants a global assignment everywhere', async () => {
    const user = await createUser(t);
    await assign('users', user.id, PREDEFINED_ROLES.resourceReviewer);
    expect(await allowed(user.id, 'resources.read')).toBe(true);
    expect(await allowed(user.id, 'resources.read', 'project:99')).toBe(true);
  });

  it('never grants a global-only permission through a resource-scoped assignment', async () => {
    const user = await createUser(t);
    // Resource Manager mixes resource permissions with the global-only users.list.
    await assign('users', user.id, PREDEFINED_ROLES.resourceManager, ['project:1']);
    expect(await allowed(user.id, 'resources.administer', 'project:1')).toBe(true);
    expect(await allowed(user.id, 'users.list', 'project:1')).toBe(false);
    expect(await allowed(user.id, 'users.list')).toBe(false);
    const effective = await t.http.get(`/api/v1/users/${user.id}/effective-permissions`).set(admin).expect(200);
    expect(
      (effective.body as { permissions: { permission: string }[] }).permissions.map((p) => p.permission),
    ).not.toContain('users.list');
  });

  it('inherits through groups and loses it on leaving, on the very next request', async () => {
    const user = await createUser(t);
    const group = (
      await t.http
        .post('/api/v1/groups')
        .set(admin)
        .send({ name: 'Project one', memberIds: [user.id] })
    ).body as { id: string };
    await assign('groups', group.id, PREDEFINED_ROLES.resourceReviewer, ['project:1']);
    expect(await allowed(user.id, 'resources.read', 'project:1')).toBe(true);
    const effective = await t.http.get(`/api/v1/users/${user.id}/effective-permissions`).set(admin).expect(200);
    expect(effective.body).toEqual({
      permissions: [
        {
          permission: 'resources.read',
          scope: 'project:1',
          via: [{ roleId: PREDEFINED_ROLES.resourceReviewer, groupId: group.id }],
        },
      ],
    });
    await t.http.delete(`/api/v1/groups/${group.id}/members/${user.id}`).set(admin).expect(204);
    expect(await allowed(user.id, 'resources.read', 'project:1')).toBe(false);
  });

  it('applies group roles to the caller’s own routes on the next request', async () => {
    const user = await createUser(t);
    const token = bearer((await login(t, user.username, user.password)).accessToken);
    expectProblem(await t.http.get('/api/v1/roles').set(token), 403, 'forbidden');
    const group = (
      await t.http
        .post('/api/v1/groups')
        .set(admin)
        .send({ name: 'Security', memberIds: [user.id] })
    ).body as { id: string };
    const assignmentId = await assign('groups', group.id, PREDEFINED_ROLES.securityManager);
    await t.http.get('/api/v1/roles').set(token).expect(200);
    await t.http.delete(`/api/v1/groups/${group.id}/role-assignments/${assignmentId}`).set(admin).expect(204);
    expectProblem(await t.http.get('/api/v1/roles').set(token), 403, 'forbidden');
  });

  it('never allows a disabled or unknown user', async () => {
    const user = await createUser(t, { enabled: false, roles: [PREDEFINED_ROLES.resourceReviewer] });
    expect(await allowed(user.id, 'resources.read')).toBe(false);
    expect(await allowed(randomUUID(), 'resources.read')).toBe(false);
  });

  it('answers a batch in order', async () => {
    const user = await createUser(t);
    await assign('users', user.id, PREDEFINED_ROLES.resourceContributor, ['project:1']);
    const response = await check({
      checks: [
        { userId: user.id, permission: 'resources.edit', resource: 'project:1' },
        { userId: user.id, permission: 'resources.edit', resource: 'project:2' },
        { userId: user.id, permission: 'resources.read' },
      ],
    }).expect(200);
    expect(response.body).toEqual({
      results: [
        { userId: user.id, permission: 'resources.edit', resource: 'project:1', allowed: true },
        { userId: user.id, permission: 'resources.edit', resource: 'project:2', allowed: false },
        { userId: user.id, permission: 'resources.read', resource: null, allowed: false },
      ],
    });
  });

  it('rejects bad checks with 400: unknown permission, too many, both forms, neither', async () => {
    const userId = randomUUID();
    expectProblem(await check({ userId, permission: 'resources.fly' }), 400, 'validation_failed');
    const many = Array.from({ length: 101 }, () => ({ userId, permission: 'resources.read' }));
    expectProblem(await check({ checks: many }), 400, 'validation_failed');
    expectProblem(
      await check({ userId, permission: 'resources.read', checks: [{ userId, permission: 'resources.read' }] }),
      400,
      'validation_failed',
    );
    expectProblem(await check({}), 400, 'validation_failed');
  });

  it('lists effective permissions with their sources, filtered by resource', async () => {
    const user: CreatedUser = await createUser(t, { roles: [PREDEFINED_ROLES.resourceReviewer] });
    await assign('users', user.id, PREDEFINED_ROLES.resourceContributor, ['project:1', 'project:2']);
    const group = (
      await t.http
        .post('/api/v1/groups')
        .set(admin)
        .send({ name: 'Readers', memberIds: [user.id] })
    ).body as { id: string };
    await assign('groups', group.id, PREDEFINED_ROLES.resourceReviewer);
    const all = await t.http.get(`/api/v1/users/${user.id}/effective-permissions`).set(admin).expect(200);
    expect(all.body.permissions).toContainEqual({
      permission: 'resources.read',
      scope: 'global',
      via: expect.arrayContaining([
        { roleId: PREDEFINED_ROLES.resourceReviewer },
        { roleId: PREDEFINED_ROLES.resourceReviewer, groupId: group.id },
      ]),
    });
    expect(all.body.permissions).toContainEqual({
      permission: 'resources.edit',
      scope: 'project:2',
      via: [{ roleId: PREDEFINED_ROLES.resourceContributor }],
    });
    const filtered = await t.http
      .get(`/api/v1/users/${user.id}/effective-permissions`)
      .query({ resource: 'project:1' })
      .set(admin)
      .expect(200);
    const scopes = (filtered.body as { permissions: { permission: string; scope: string }[] }).permissions.map(
      (p) => `${p.permission}@${p.scope}`,
    );
    expect(scopes).toEqual([
      'resources.edit@project:1',
      'resources.edit-properties@project:1',
      'resources.read@global',
      'resources.read@project:1',
    ]);
    expectProblem(await t.http.get(`/api/v1/users/${randomUUID()}/effective-permissions`).set(admin), 404, 'not_found');
  });

  // Each check below follows one that was answered from memory, so the change must reach the cache at once.
  describe('answers the next check after every kind of change', () => {
    it('disabling, enabling and deleting the user', async () => {
      const user = await createUser(t, { roles: [PREDEFINED_ROLES.resourceReviewer] });
      expect(await allowed(user.id, 'resources.read')).toBe(true);
      await t.http.post(`/api/v1/users/${user.id}/disable`).set(admin).expect(200);
      expect(await allowed(user.id, 'resources.read')).toBe(false);
      await t.http.post(`/api/v1/users/${user.id}/enable`).set(admin).expect(200);
      expect(await allowed(user.id, 'resources.read')).toBe(true);
      await t.http.delete(`/api/v1/users/${user.id}`).set(admin).expect(204);
      expect(await allowed(user.id, 'resources.read')).toBe(false);
    });

    it("changing and deleting the role's permissions", async () => {
      const user = await createUser(t);
      const role = (
        await t.http
          .post('/api/v1/roles')
          .set(admin)
          .send({ name: `Reader ${randomUUID()}`, permissions: ['resources.read'] })
          .expect(201)
      ).body as { id: string };
      await assign('users', user.id, role.id, ['project:7']);
      expect(await allowed(user.id, 'resources.read', 'project:7')).toBe(true);
      expect(await allowed(user.id, 'resources.edit', 'project:7')).toBe(false);
      await t.http
        .patch(`/api/v1/roles/${role.id}`)
        .set(admin)
        .send({ permissions: ['resources.edit'] })
        .expect(200);
      expect(await allowed(user.id, 'resources.read', 'project:7')).toBe(false);
      expect(await allowed(user.id, 'resources.edit', 'project:7')).toBe(true);
      await t.http.delete(`/api/v1/roles/${role.id}`).set(admin).expect(204);
      expect(await allowed(user.id, 'resources.edit', 'project:7')).toBe(false);
    });

    it('removing an assignment, deleting a group, copying assignments', async () => {
      const [user, other] = await Promise.all([createUser(t), createUser(t)]);
      const direct = await assign('users', user.id, PREDEFINED_ROLES.resourceContributor, ['project:8']);
      expect(await allowed(user.id, 'resources.edit', 'project:8')).toBe(true);
      await t.http.delete(`/api/v1/users/${user.id}/role-assignments/${direct}`).set(admin).expect(204);
      expect(await allowed(user.id, 'resources.edit', 'project:8')).toBe(false);

      const group = (
        await t.http
          .post('/api/v1/groups')
          .set(admin)
          .send({ name: `Team ${randomUUID()}`, memberIds: [user.id] })
          .expect(201)
      ).body as { id: string };
      await assign('groups', group.id, PREDEFINED_ROLES.resourceReviewer);
      expect(await allowed(user.id, 'resources.read')).toBe(true);
      expect(await allowed(other.id, 'resources.read')).toBe(false);
      await t.http
        .post('/api/v1/role-assignments/copy')
        .set(admin)
        .send({ source: { type: 'group', id: group.id }, targets: [{ type: 'user', id: other.id }] })
        .expect(200);
      expect(await allowed(other.id, 'resources.read')).toBe(true);
      await t.http.delete(`/api/v1/groups/${group.id}`).set(admin).expect(204);
      expect(await allowed(user.id, 'resources.read')).toBe(false);
      expect(await allowed(other.id, 'resources.read')).toBe(true);
    });
  });

  it('asks the database for a user with more scoped grants than a replica keeps in memory', async () => {
    const user = await createUser(t);
    const assignmentId = await assign('users', user.id, PREDEFINED_ROLES.resourceReviewer, ['project:0']);
    // Rows written straight to the tables (no API route takes this many resources), before any check of this user.
    const resources = Array.from({ length: MAX_CACHED_GRANTS }, (_, i) => `project:${i + 1}`);
    for (let i = 0; i < resources.length; i += 400) {
      const chunk = resources.slice(i, i + 400);
      await t.dataSource.query(
        `INSERT INTO assignment_resources (assignment_id, resource) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
        chunk.flatMap((resource) => [assignmentId, resource]),
      );
    }
    expect(await allowed(user.id, 'resources.read', `project:${MAX_CACHED_GRANTS}`)).toBe(true);
    expect(await allowed(user.id, 'resources.read', 'project:0')).toBe(true);
    expect(await allowed(user.id, 'resources.read', 'elsewhere')).toBe(false);
    expect(await allowed(user.id, 'resources.read')).toBe(false);
  });

  describe('permissions', () => {
    it('lets only callers with authz.check check', async () => {
      const body = { userId: randomUUID(), permission: 'resources.read' };
      for (const roles of [[PREDEFINED_ROLES.userManager], [PREDEFINED_ROLES.securityManager], []]) {
        const user = await createUser(t, { roles });
        const token = bearer((await login(t, user.username, user.password)).accessToken);
        expectProblem(await check(body, token), 403, 'forbidden');
      }
      expectProblem(await check(body, admin), 403, 'forbidden');
      const custom = (
        await t.http
          .post('/api/v1/roles')
          .set(admin)
          .send({ name: 'Checkers', permissions: ['authz.check'] })
          .expect(201)
      ).body as { id: string };
      const checker = await createUser(t, { roles: [custom.id] });
      await check(body, bearer((await login(t, checker.username, checker.password)).accessToken)).expect(200);
    });

    it('lets users.list or permissions.manage read effective permissions', async () => {
      const target = await createUser(t);
      await t.http.get(`/api/v1/users/${target.id}/effective-permissions`).set(client).expect(200);
      const nobody = await createUser(t);
      const token = bearer((await login(t, nobody.username, nobody.password)).accessToken);
      expectProblem(await t.http.get(`/api/v1/users/${target.id}/effective-permissions`).set(token), 403, 'forbidden');
    });
  });
});
