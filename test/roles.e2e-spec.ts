import { randomUUID } from 'node:crypto';
import { PREDEFINED_ROLES } from '../src/roles/permissions';
import { createUser } from './factories/user.factory';
import { bearer, expectProblem, login, startTestApp, TestApp } from './helpers/test-app';

type Token = { authorization: string };

describe('roles and role assignments', () => {
  let t: TestApp;
  let admin: Token;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = bearer((await login(t)).accessToken);
    const [row] = await t.dataSource.query<{ id: string }[]>("SELECT id FROM users WHERE username_key = 'admin'");
    adminId = row.id;
  });

  afterAll(async () => {
    await t.close();
  });

  async function caller(roles: string[]): Promise<Token> {
    const user = await createUser(t, { roles });
    return bearer((await login(t, user.username, user.password)).accessToken);
  }

  async function createRole(body: Record<string, unknown>): Promise<{ id: string }> {
    return (await t.http.post('/api/v1/roles').set(admin).send(body).expect(201)).body as { id: string };
  }

  describe('roles', () => {
    it('lists the predefined roles with their permissions and global-only flag', async () => {
      const response = await t.http.get('/api/v1/roles').query({ limit: 200 }).set(admin).expect(200);
      const userManager = (response.body as { items: { id: string }[] }).items.find(
        (r) => r.id === PREDEFINED_ROLES.userManager,
      );
      expect(userManager).toMatchObject({
        name: 'User Manager',
        predefined: true,
        globalOnly: true,
        permissions: ['groups.manage', 'users.create', 'users.edit', 'users.list', 'users.remove'],
      });
      const reviewer = await t.http.get(`/api/v1/roles/${PREDEFINED_ROLES.resourceReviewer}`).set(admin).expect(200);
      expect(reviewer.body).toMatchObject({ globalOnly: false, permissions: ['resources.read'] });
    });

    it('creates, renames and deletes a custom role', async () => {
      const response = await t.http
        .post('/api/v1/roles')
        .set(admin)
        .send({ name: 'Model Auditor', permissions: ['resources.read', 'resources.list'] })
        .expect(201);
      expect(response.headers.location).toBe(`/api/v1/roles/${response.body.id}`);
      expect(response.body).toMatchObject({
        name: 'Model Auditor',
        description: null,
        predefined: false,
        globalOnly: false,
        permissions: ['resources.list', 'resources.read'],
      });
      const patched = await t.http
        .patch(`/api/v1/roles/${response.body.id}`)
        .set(admin)
        .set('if-match', String(response.headers.etag))
        .send({ name: 'Model Auditors', permissions: ['users.list'] })
        .expect(200);
      expect(patched.body).toMatchObject({ name: 'Model Auditors', permissions: ['users.list'], globalOnly: true });
      expectProblem(
        await t.http
          .patch(`/api/v1/roles/${response.body.id}`)
          .set(admin)
          .set('if-match', String(response.headers.etag))
          .send({ description: 'late' }),
        412,
        'precondition_failed',
      );
      await t.http.delete(`/api/v1/roles/${response.body.id}`).set(admin).expect(204);
      expectProblem(await t.http.get(`/api/v1/roles/${response.body.id}`).set(admin), 404, 'not_found');
    });

    it('rejects unknown permission keys and empty permission lists with 400', async () => {
      for (const permissions of [['users.fly'], []]) {
        expectProblem(
          await t.http.post('/api/v1/roles').set(admin).send({ name: 'Bad', permissions }),
          400,
          'validation_failed',
        );
      }
    });

    it('rejects names taken case-insensitively, predefined names included', async () => {
      expectProblem(
        await t.http
          .post('/api/v1/roles')
          .set(admin)
          .send({ name: 'user manager', permissions: ['users.list'] }),
        409,
        'role_name_taken',
      );
      await createRole({ name: 'Dup role', permissions: ['users.list'] });
      expectProblem(
        await t.http
          .post('/api/v1/roles')
          .set(admin)
          .send({ name: 'DUP ROLE', permissions: ['users.list'] }),
        409,
        'role_name_taken',
      );
    });

    it('keeps predefined roles read-only', async () => {
      const id = PREDEFINED_ROLES.resourceReviewer;
      expectProblem(
        await t.http.patch(`/api/v1/roles/${id}`).set(admin).send({ description: 'x' }),
        409,
        'predefined_role',
      );
      expectProblem(await t.http.delete(`/api/v1/roles/${id}`).set(admin), 409, 'predefined_role');
    });

    it('lists the users and groups holding a role', async () => {
      const role = await createRole({ name: 'Held role', permissions: ['resources.read'] });
      const user = await createUser(t);
      const group = (await t.http.post('/api/v1/groups').set(admin).send({ name: 'Holders' }).expect(201)).body;
      await t.http.post(`/api/v1/users/${user.id}/role-assignments`).set(admin).send({ roleId: role.id }).expect(201);
      await t.http
        .post(`/api/v1/groups/${group.id}/role-assignments`)
        .set(admin)
        .send({ roleId: role.id, resources: ['project:1'] })
        .expect(201);
      const first = await t.http.get(`/api/v1/roles/${role.id}/principals`).query({ limit: 1 }).set(admin).expect(200);
      expect(first.body.items).toEqual([
        {
          assignmentId: expect.any(String),
          principal: { type: 'group', id: group.id },
          name: 'Holders',
          resources: ['project:1'],
        },
      ]);
      const second = await t.http
        .get(`/api/v1/roles/${role.id}/principals`)
        .query({ limit: 1, cursor: first.body.nextCursor })
        .set(admin)
        .expect(200);
      expect(second.body).toEqual({
        items: [
          {
            assignmentId: expect.any(String),
            principal: { type: 'user', id: user.id },
            name: user.username,
            resources: null,
          },
        ],
        nextCursor: null,
      });
    });
  });

  describe('assignments', () => {
    it('assigns globally and on resources, lists and removes', async () => {
      const user = await createUser(t);
      const created = await t.http
        .post(`/api/v1/users/${user.id}/role-assignments`)
        .set(admin)
        .send({ roleId: PREDEFINED_ROLES.resourceContributor, resources: ['project:2', 'project:1', 'project:2'] })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        roleId: PREDEFINED_ROLES.resourceContributor,
        roleName: 'Resource Contributor',
        principal: { type: 'user', id: user.id },
        resources: ['project:1', 'project:2'],
      });
      expectProblem(
        await t.http
          .post(`/api/v1/users/${user.id}/role-assignments`)
          .set(admin)
          .send({ roleId: PREDEFINED_ROLES.resourceContributor, resources: ['project:1', 'project:2'] }),
        409,
        'assignment_exists',
      );
      await t.http
        .post(`/api/v1/users/${user.id}/role-assignments`)
        .set(admin)
        .send({ roleId: PREDEFINED_ROLES.resourceContributor })
        .expect(201);
      const list = await t.http.get(`/api/v1/users/${user.id}/role-assignments`).set(admin).expect(200);
      expect(list.body.items).toHaveLength(2);
      await t.http.delete(`/api/v1/users/${user.id}/role-assignments/${created.body.id}`).set(admin).expect(204);
      expectProblem(
        await t.http.delete(`/api/v1/users/${user.id}/role-assignments/${created.body.id}`).set(admin),
        404,
        'not_found',
      );
      const after = await t.http.get(`/api/v1/users/${user.id}/role-assignments`).set(admin).expect(200);
      expect(after.body.items).toEqual([expect.objectContaining({ resources: null })]);
    });

    it('refuses resources on a global-only role with 400', async () => {
      const user = await createUser(t);
      expectProblem(
        await t.http
          .post(`/api/v1/users/${user.id}/role-assignments`)
          .set(admin)
          .send({ roleId: PREDEFINED_ROLES.userManager, resources: ['project:1'] }),
        400,
        'global_only_role',
      );
    });

    it('answers 404 for an unknown user, group or role', async () => {
      const user = await createUser(t);
      const body = { roleId: PREDEFINED_ROLES.resourceReviewer };
      expectProblem(
        await t.http.post(`/api/v1/users/${randomUUID()}/role-assignments`).set(admin).send(body),
        404,
        'not_found',
      );
      expectProblem(
        await t.http.post(`/api/v1/groups/${randomUUID()}/role-assignments`).set(admin).send(body),
        404,
        'not_found',
      );
      expectProblem(
        await t.http.post(`/api/v1/users/${user.id}/role-assignments`).set(admin).send({ roleId: randomUUID() }),
        404,
        'not_found',
      );
    });

    it('copies assignments: merge keeps and skips, replace swaps', async () => {
      const source = await createUser(t);
      const merged = await createUser(t);
      const replaced = await createUser(t);
      const assign = (id: string, body: Record<string, unknown>) =>
        t.http.post(`/api/v1/users/${id}/role-assignments`).set(admin).send(body).expect(201);
      await assign(source.id, { roleId: PREDEFINED_ROLES.resourceReviewer, resources: ['project:1'] });
      await assign(source.id, { roleId: PREDEFINED_ROLES.serverAdministrator });
      await assign(merged.id, { roleId: PREDEFINED_ROLES.serverAdministrator });
      await assign(merged.id, { roleId: PREDEFINED_ROLES.resourceCreator });
      await assign(replaced.id, { roleId: PREDEFINED_ROLES.resourceCreator });

      const merge = await t.http
        .post('/api/v1/role-assignments/copy')
        .set(admin)
        .send({ source: { type: 'user', id: source.id }, targets: [{ type: 'user', id: merged.id }] })
        .expect(200);
      expect(merge.body).toEqual({ copied: 1, skipped: 1 });
      const replace = await t.http
        .post('/api/v1/role-assignments/copy')
        .set(admin)
        .send({
          source: { type: 'user', id: source.id },
          targets: [{ type: 'user', id: replaced.id }],
          mode: 'replace',
        })
        .expect(200);
      expect(replace.body).toEqual({ copied: 2, skipped: 0 });

      const roles = async (id: string) =>
        (
          (await t.http.get(`/api/v1/users/${id}/role-assignments`).set(admin).expect(200)).body as {
            items: { roleName: string; resources: string[] | null }[];
          }
        ).items
          .map((a: { roleName: string; resources: string[] | null }) => `${a.roleName} ${JSON.stringify(a.resources)}`)
          .sort();
      expect(await roles(merged.id)).toEqual([
        'Resource Creator null',
        'Resource Reviewer ["project:1"]',
        'Server Administrator null',
      ]);
      expect(await roles(replaced.id)).toEqual(['Resource Reviewer ["project:1"]', 'Server Administrator null']);
    });

    it('copies nothing when a target does not exist', async () => {
      const source = await createUser(t, { roles: [PREDEFINED_ROLES.serverAdministrator] });
      const target = await createUser(t);
      const response = await t.http
        .post('/api/v1/role-assignments/copy')
        .set(admin)
        .send({
          source: { type: 'user', id: source.id },
          targets: [
            { type: 'user', id: target.id },
            { type: 'group', id: randomUUID() },
          ],
        });
      expectProblem(response, 404, 'not_found');
      const list = await t.http.get(`/api/v1/users/${target.id}/role-assignments`).set(admin).expect(200);
      expect(list.body.items).toEqual([]);
    });
  });

  describe('last administrator', () => {
    it('refuses to remove the last administrator’s assignments, roles through a group, or its group', async () => {
      const list = await t.http.get(`/api/v1/users/${adminId}/role-assignments`).set(admin).expect(200);
      const userManager = (list.body as { items: { roleId: string; id: string }[] }).items.find(
        (a) => a.roleId === PREDEFINED_ROLES.userManager,
      );
      expectProblem(
        await t.http.delete(`/api/v1/users/${adminId}/role-assignments/${userManager!.id}`).set(admin),
        409,
        'last_administrator',
      );
      expectProblem(
        await t.http
          .post('/api/v1/role-assignments/copy')
          .set(admin)
          .send({
            source: { type: 'user', id: (await createUser(t)).id },
            targets: [{ type: 'user', id: adminId }],
            mode: 'replace',
          }),
        409,
        'last_administrator',
      );

      // Move the administration into a custom role held through a group, then try to dismantle it.
      const role = await createRole({
        name: 'Admins',
        permissions: ['users.edit', 'permissions.manage', 'roles.manage', 'groups.manage'],
      });
      const group = (
        await t.http
          .post('/api/v1/groups')
          .set(admin)
          .send({ name: 'Admin group', memberIds: [adminId] })
          .expect(201)
      ).body;
      await t.http.post(`/api/v1/groups/${group.id}/role-assignments`).set(admin).send({ roleId: role.id }).expect(201);
      const securityManager = (list.body as { items: { roleId: string; id: string }[] }).items.find(
        (a) => a.roleId === PREDEFINED_ROLES.securityManager,
      );
      await t.http.delete(`/api/v1/users/${adminId}/role-assignments/${userManager!.id}`).set(admin).expect(204);
      await t.http.delete(`/api/v1/users/${adminId}/role-assignments/${securityManager!.id}`).set(admin).expect(204);

      expectProblem(
        await t.http.delete(`/api/v1/groups/${group.id}/members/${adminId}`).set(admin),
        409,
        'last_administrator',
      );
      expectProblem(
        await t.http
          .patch(`/api/v1/groups/${group.id}/members`)
          .set(admin)
          .send({ remove: [adminId] }),
        409,
        'last_administrator',
      );
      expectProblem(await t.http.delete(`/api/v1/groups/${group.id}`).set(admin), 409, 'last_administrator');
      expectProblem(await t.http.delete(`/api/v1/roles/${role.id}`).set(admin), 409, 'last_administrator');
      expectProblem(
        await t.http
          .patch(`/api/v1/roles/${role.id}`)
          .set(admin)
          .send({ permissions: ['roles.manage'] }),
        409,
        'last_administrator',
      );
      // Renaming keeps the permissions: allowed.
      await t.http.patch(`/api/v1/roles/${role.id}`).set(admin).send({ name: 'Administrators' }).expect(200);
      await t.http.get('/api/v1/roles').set(admin).expect(200);
    });
  });

  describe('permissions', () => {
    it('lets a Security Manager manage roles and assignments', async () => {
      const sm = await caller([PREDEFINED_ROLES.securityManager]);
      const user = await createUser(t);
      await t.http.get('/api/v1/roles').set(sm).expect(200);
      await t.http
        .post('/api/v1/roles')
        .set(sm)
        .send({ name: 'By SM', permissions: ['resources.read'] })
        .expect(201);
      await t.http
        .post(`/api/v1/users/${user.id}/role-assignments`)
        .set(sm)
        .send({ roleId: PREDEFINED_ROLES.resourceReviewer })
        .expect(201);
    });

    it('lets a User Manager read assignments (users.list) but not roles or writes', async () => {
      const um = await caller([PREDEFINED_ROLES.userManager]);
      const user = await createUser(t);
      await t.http.get(`/api/v1/users/${user.id}/role-assignments`).set(um).expect(200);
      expectProblem(await t.http.get('/api/v1/roles').set(um), 403, 'forbidden');
      expectProblem(
        await t.http
          .post(`/api/v1/users/${user.id}/role-assignments`)
          .set(um)
          .send({ roleId: PREDEFINED_ROLES.resourceReviewer }),
        403,
        'forbidden',
      );
    });

    it('lets a custom role with roles.manage only write roles', async () => {
      const role = await createRole({ name: 'Role editors', permissions: ['roles.manage'] });
      const editor = await caller([role.id]);
      await t.http
        .post('/api/v1/roles')
        .set(editor)
        .send({ name: 'By editor', permissions: ['resources.read'] })
        .expect(201);
      expectProblem(
        await t.http
          .post('/api/v1/role-assignments/copy')
          .set(editor)
          .send({ source: { type: 'user', id: adminId }, targets: [] }),
        403,
        'forbidden',
      );
    });

    it('forbids Server Administrators, Service Clients and users without roles', async () => {
      for (const roles of [[PREDEFINED_ROLES.serverAdministrator], [PREDEFINED_ROLES.serviceClient], []]) {
        const token = await caller(roles);
        expectProblem(await t.http.get('/api/v1/roles').set(token), 403, 'forbidden');
        expectProblem(
          await t.http
            .post('/api/v1/roles')
            .set(token)
            .send({ name: 'x', permissions: ['users.list'] }),
          403,
          'forbidden',
        );
      }
    });
  });
});
