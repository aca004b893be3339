import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  IS_PUBLIC,
  IS_SELF_SERVICE,
  PermissionRequirement,
  REQUIRED_PERMISSIONS,
} from '../src/common/decorators/access.metadata';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * Every route and who may call it. A new route fails this test until it is added here, so no route can be
 * shipped without a decision: `public`, `self-service`, or the permissions it requires.
 */
const EXPECTED: Record<string, string> = {
  'GET health/live': 'public',
  'GET health/ready': 'public',
  'POST auth/login': 'public',
  'GET .well-known/jwks.json': 'public',
  'POST auth/refresh': 'public',
  'POST auth/logout': 'self-service',
  'POST auth/introspect': 'tokens.introspect',
  'POST auth/keys/rotate': 'server.configure',
  'GET users/:id/status': 'users.list',
  'GET users/:id/sessions': 'users.edit',
  'DELETE users/:id/sessions': 'users.edit',
  'DELETE users/:id/lockout': 'users.edit',
  'GET permissions': 'roles.manage | permissions.manage',
  'GET users': 'users.list',
  'GET users/count': 'users.list',
  'POST users': 'users.create',
  'GET users/:id': 'users.list',
  'PATCH users/:id': 'users.edit',
  'POST users/:id/enable': 'users.edit',
  'POST users/:id/disable': 'users.edit',
  'DELETE users/:id': 'users.remove',
  'PUT users/:id/password': 'users.edit',
  'GET directory-summary': 'users.list',
  'GET me': 'self-service',
  'PATCH me': 'self-service',
  'PUT me/password': 'self-service',
  'GET audit-events': 'audit.read',
  'GET groups': 'groups.manage | users.list',
  'GET groups/count': 'groups.manage | users.list',
  'POST groups': 'groups.manage',
  'GET groups/:id': 'groups.manage | users.list',
  'PATCH groups/:id': 'groups.manage',
  'DELETE groups/:id': 'groups.manage',
  'GET groups/:id/members': 'groups.manage | users.list',
  'PATCH groups/:id/members': 'groups.manage',
  'PUT groups/:id/members/:userId': 'groups.manage',
  'DELETE groups/:id/members/:userId': 'groups.manage',
  'GET users/:id/groups': 'groups.manage | users.list',
  'GET roles': 'roles.manage | permissions.manage',
  'POST roles': 'roles.manage',
  'GET roles/:id': 'roles.manage | permissions.manage',
  'PATCH roles/:id': 'roles.manage',
  'DELETE roles/:id': 'roles.manage',
  'GET roles/:id/principals': 'roles.manage | permissions.manage',
  'GET users/:id/role-assignments': 'permissions.manage | users.list',
  'POST users/:id/role-assignments': 'permissions.manage',
  'DELETE users/:id/role-assignments/:assignmentId': 'permissions.manage',
  'GET groups/:id/role-assignments': 'permissions.manage | users.list',
  'POST groups/:id/role-assignments': 'permissions.manage',
  'DELETE groups/:id/role-assignments/:assignmentId': 'permissions.manage',
  'POST role-assignments/copy': 'permissions.manage',
  'GET users/:id/effective-permissions': 'permissions.manage | users.list',
  'POST authz/check': 'authz.check',
  'GET directories': 'server.configure',
  'POST directories': 'server.configure',
  'GET directories/:id': 'server.configure',
  'PATCH directories/:id': 'server.configure',
  'DELETE directories/:id': 'server.configure',
  'GET directories/:id/search': 'server.configure',
  'POST directories/:id/import': 'server.configure',
  'POST directories/:id/sync': 'server.configure',
  'POST users/:id/convert': 'users.edit',
};

function join(...parts: (string | string[] | undefined)[]): string {
  return parts
    .map((p) => (Array.isArray(p) ? p[0] : p) ?? '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
}

describe('route coverage', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('gives every route an explicit access rule, enforced by the global guards', () => {
    const reflector = t.app.get(Reflector);
    const actual: Record<string, string> = {};
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as new (...args: unknown[]) => unknown;
        const prototype = controller.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') {
            continue;
          }
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
          if (path === undefined) {
            continue;
          }
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
          const route = `${method} ${join(Reflect.getMetadata(PATH_METADATA, controller) as string, path)}`;
          const targets = [handler, controller];
          const requirement = reflector.getAllAndOverride<PermissionRequirement>(REQUIRED_PERMISSIONS, targets);
          actual[route] = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)
            ? 'public'
            : reflector.getAllAndOverride<boolean>(IS_SELF_SERVICE, targets)
              ? 'self-service'
              : requirement
                ? requirement.permissions.join(requirement.mode === 'all' ? ' & ' : ' | ')
                : 'UNGUARDED';
        }
      }
    }
    expect(Object.entries(actual).filter(([, rule]) => rule === 'UNGUARDED')).toEqual([]);
    expect(actual).toEqual(EXPECTED);
  });
});
