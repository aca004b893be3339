import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemDto } from '../errors/problem.dto';
import { IS_SELF_SERVICE, PermissionRequirement, REQUIRED_PERMISSIONS } from './access.metadata';

const unauthorized = ApiUnauthorizedResponse({
  type: ProblemDto,
  description: 'The access token is missing, invalid, expired or revoked (`unauthorized`).',
});

function permissionsDecorator(requirement: PermissionRequirement): MethodDecorator & ClassDecorator {
  const list = requirement.permissions.map((p) => `\`${p}\``).join(requirement.mode === 'all' ? ' and ' : ' or ');
  return applyDecorators(
    SetMetadata(REQUIRED_PERMISSIONS, requirement),
    ApiBearerAuth(),
    unauthorized,
    ApiForbiddenResponse({
      type: ProblemDto,
      description: `The caller lacks ${list} (\`forbidden\`).`,
    }),
  );
}

/** Requires every listed global permission; sets the Swagger security and the 401/403 responses with it. */
export const RequirePermissions = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  permissionsDecorator({ mode: 'all', permissions });

/** Requires at least one of the listed global permissions. */
export const RequireAnyPermission = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  permissionsDecorator({ mode: 'any', permissions });

/**
 * Any authenticated caller may use the route; the service decides what the caller may see (object-level checks).
 */
export const SelfService = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_SELF_SERVICE, true), ApiBearerAuth(), unauthorized);
