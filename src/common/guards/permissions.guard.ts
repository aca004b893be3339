import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedUser } from '../authenticated-user';
import { IS_PUBLIC, IS_SELF_SERVICE, PermissionRequirement, REQUIRED_PERMISSIONS } from '../decorators/access.metadata';
import { ProblemException } from '../errors/problem.exception';

/**
 * Global guard after authentication: a route runs only if it is public, self-service, or the caller holds the
 * permissions its `@RequirePermissions()` names. A route that says none of these is closed to everyone.
 */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_SELF_SERVICE, targets)) {
      return true;
    }
    const requirement = this.reflector.getAllAndOverride<PermissionRequirement>(REQUIRED_PERMISSIONS, targets);
    const user = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
    if (!requirement || !user) {
      throw ProblemException.forbidden();
    }
    const held = await user.permissions();
    const allowed =
      requirement.mode === 'all'
        ? requirement.permissions.every((p) => held.has(p))
        : requirement.permissions.some((p) => held.has(p));
    if (!allowed) {
      throw ProblemException.forbidden();
    }
    return true;
  }
}
