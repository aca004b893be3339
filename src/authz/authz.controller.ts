import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { RequireAnyPermission, RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { ProblemException } from '../common/errors/problem.exception';
import { IdParam } from '../common/id-param';
import { AuthzService } from './authz.service';
import { AuthzCheckRequestDto, BatchCheckResultDto, CheckResultDto } from './dto/check.dto';
import { EffectivePermissionsDto, EffectivePermissionsQueryDto } from './dto/effective-permissions.dto';

@ApiTags('authz')
@Controller('authz')
export class AuthzController {
  constructor(private readonly authz: AuthzService) {}

  /** Check whether users may do something, globally or on a resource */
  @Post('check')
  @HttpCode(200)
  @RequirePermissions('authz.check')
  @ApiOperation({
    description:
      'Send `{ userId, permission, resource? }` for `{ allowed }`, or `{ checks: [...] }` (at most 100) for `{ results }` in the same order. ' +
      'Direct and group assignments count; a resource-scoped assignment grants only on its resources, a global one everywhere. ' +
      'Global-only permissions are granted only by global assignments. Unknown and disabled users are never allowed.',
  })
  @ApiExtraModels(CheckResultDto, BatchCheckResultDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(CheckResultDto) }, { $ref: getSchemaPath(BatchCheckResultDto) }] },
  })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description:
      'Invalid body, unknown permission key, more than 100 checks, or both forms at once (`validation_failed`).',
  })
  async check(
    @Body() dto: AuthzCheckRequestDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<CheckResultDto | BatchCheckResultDto> {
    if (dto.checks === undefined) {
      return {
        allowed: await this.authz.isAllowed(
          { userId: dto.userId!, permission: dto.permission!, resource: dto.resource },
          caller.authzEpoch,
        ),
      };
    }
    if (dto.userId !== undefined || dto.permission !== undefined || dto.resource !== undefined) {
      throw ProblemException.validation([{ field: 'checks', message: 'send either checks or one check, not both' }]);
    }
    const results = [];
    for (const check of dto.checks) {
      results.push({
        userId: check.userId,
        permission: check.permission,
        resource: check.resource ?? null,
        allowed: await this.authz.isAllowed(check, caller.authzEpoch),
      });
    }
    return { results };
  }
}

@ApiTags('authz')
@Controller('users/:id/effective-permissions')
export class EffectivePermissionsController {
  constructor(private readonly authz: AuthzService) {}

  /** List what a user may do, directly and through their groups, and where each permission comes from */
  @Get()
  @RequireAnyPermission('permissions.manage', 'users.list')
  @ApiOkResponse({ type: EffectivePermissionsDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid query (`validation_failed`).' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such user (`not_found`).' })
  async get(@IdParam() id: string, @Query() query: EffectivePermissionsQueryDto): Promise<EffectivePermissionsDto> {
    if ((await this.authz.userEnabled(id)) === null) {
      throw ProblemException.notFound('user');
    }
    return { permissions: await this.authz.effectivePermissions(id, query.resource) };
  }
}
