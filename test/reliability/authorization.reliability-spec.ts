import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { TokensService } from '../../src/auth/tokens.service';
import { PermissionRequirement, REQUIRED_PERMISSIONS } from '../../src/common/decorators/access.metadata';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { PERMISSIONS } from '../../src/roles/permissions';
import { createUser } from '../factories/user.factory';
import { bearer, login, startTestApp, TestApp } from '../helpers/test-app';
import { fingerprint } from './contract';

interface GuardedRoute {
  method: string;
  path: string;
  requirement: PermissionRequirement;
}

/** Every permission-checked route, read from Nest's metadata (the same source the guards use). */
function guardedRoutes(t: TestApp): GuardedRoute[] {
  const reflector = t.app.get(Reflector);
  const routes: GuardedRoute[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as new (...args: unknown[]) => unknown;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') {
          continue;
        }
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) {
          continue;
        }
        const requirement = reflector.getAllAndOverride<PermissionRequirement>(REQUIRED_PERMISSIONS, [
          handler,
          controller,
        ]);
        if (!requirement) {
          continue;
        }
        const full = ['api/v1', Reflect.getMetadata(PATH_METADATA, controller) as string, path]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/');
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
          path: `/${full}`,
          requirement,
        });
      }
    }
  }
  return routes;
}

describe('authorization fuzzing', () => {
  let t: TestApp;
  let admin: string;
  const ids: Record<string, string> = {};

  async function tokenFor(userId: string): Promise<string> {
    const pair = await t.app
      .get(TransactionRunner)
      .run((manager) =>
        t.app
          .get(TokensService)
          .startSession(manager, { id: userId, mustChangePassword: false }, { ip: '127.0.0.1', userAgent: 'authz' }),
      );
    return pair.accessToken;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = (await login(t)).accessToken;
    const target = await createUser(t);
    ids.user = target.id;
    const group = await t.http
      .post('/api/v1/groups')
      .set(bearer(admin))
      .send({ name: 'authz-group', memberIds: [target.id] })
      .expect(201);
    ids.group = group.body.id;
    const role = await t.http
      .post('/api/v1/roles')
      .set(bearer(admin))
      .send({ name: 'authz-role', permissions: ['resources.read'] })
      .expect(201);
    ids.role = role.body.id;
    const assignment = await t.http
      .post(`/api/v1/users/${target.id}/role-assignments`)
      .set(bearer(admin))
      .send({ roleId: role.body.id })
      .expect(201);
    ids.assignment = assignment.body.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 403 and changes nothing for a caller holding every permission but the ones a route requires', async () => {
    const routes = guardedRoutes(t);
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    const tokens = new Map<string, string>();
    const fastify = t.app.getHttpAdapter().getInstance();
    for (const route of routes) {
      // For "any" the caller lacks all of them; for "all" it lacks all of them too (lacking one is enough).
      const missing = new Set(route.requirement.permissions);
      const key = [...missing].sort().join(',');
      if (!tokens.has(key)) {
        const permissions = PERMISSIONS.map((p) => p.key).filter((p) => !missing.has(p));
        const role = await t.http
          .post('/api/v1/roles')
          .set(bearer(admin))
          .send({ name: `all-but ${key}`.slice(0, 100), permissions })
          .expect(201);
        const caller = await createUser(t, { roles: [role.body.id] });
        tokens.set(key, await tokenFor(caller.id));
      }
      const url = route.path
        .replace(':assignmentId', ids.assignment)
        .replace(':userId', ids.user)
        .replace(
          ':id',
          route.path.includes('/groups/') ? ids.group : route.path.includes('/roles/') ? ids.role : ids.user,
        );
      for (const payload of [
        undefined,
        '{}',
        JSON.stringify({ name: 'x', permissions: ['users.list'], to: 'internal' }),
      ]) {
        const before = await fingerprint(t.dataSource);
        const response = await fastify.inject({
          method: route.method as 'GET',
          url,
          headers: { ...bearer(tokens.get(key)!), ...(payload ? { 'content-type': 'application/json' } : {}) },
          payload,
        });
        const after = await fingerprint(t.dataSource);
        if (response.statusCode !== 403 || after !== before) {
          failures.push(
            `${route.method} ${url} [${key}] → ${response.statusCode}${after !== before ? ' and wrote' : ''}`,
          );
        }
      }
    }
    console.log(`authorization: ${routes.length} permission-checked routes, ${tokens.size} callers`);
    expect(failures).toEqual([]);
  });

  it('keeps a self-service user (no roles) to itself', async () => {
    const self = await createUser(t);
    const token = await tokenFor(self.id);
    const fastify = t.app.getHttpAdapter().getInstance();
    const before = await fingerprint(t.dataSource);
    const attempts = [
      { method: 'GET', url: `/api/v1/users/${ids.user}` },
      { method: 'PATCH', url: `/api/v1/users/${ids.user}`, payload: { fullName: 'Mallory' } },
      { method: 'POST', url: `/api/v1/users/${ids.user}/disable` },
      { method: 'DELETE', url: `/api/v1/users/${ids.user}` },
      { method: 'PUT', url: `/api/v1/users/${ids.user}/password`, payload: { newPassword: 'x'.repeat(20) } },
      { method: 'GET', url: `/api/v1/users/${ids.user}/groups` },
      { method: 'GET', url: `/api/v1/users` },
      { method: 'POST', url: `/api/v1/users/${self.id}/role-assignments`, payload: { roleId: ids.role } },
      { method: 'PUT', url: `/api/v1/groups/${ids.group}/members/${self.id}` },
    ] as const;
    for (const attempt of attempts) {
      const response = await fastify.inject({
        method: attempt.method,
        url: attempt.url,
        headers: bearer(token),
        ...('payload' in attempt ? { payload: attempt.payload } : {}),
      });
      expect(`${attempt.method} ${attempt.url} → ${response.statusCode}`).toBe(
        `${attempt.method} ${attempt.url} → 403`,
      );
    }
    expect(await fingerprint(t.dataSource)).toBe(before);

    const me = await fastify.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: self.id });
    const patched = await fastify.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: bearer(token),
      payload: { fullName: 'Only Me', id: ids.user },
    });
    expect(patched.statusCode).toBe(400);
    const own = await fastify.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: bearer(token),
      payload: { fullName: 'Only Me' },
    });
    expect(own.statusCode).toBe(200);
    const other = await t.http.get(`/api/v1/users/${ids.user}`).set(bearer(admin)).expect(200);
    expect(other.body.fullName).not.toBe('Only Me');
  });
});
