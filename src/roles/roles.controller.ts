import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireAnyPermission, RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { etagOf } from '../common/etag';
import { PageDto, Page } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { IdParam } from '../common/id-param';
import { ReqContext, RequestContext } from '../common/request-context';
import { API_PREFIX } from '../common/api-prefix';
import { RoleHolderDto } from './dto/assignment.dto';
import { CreateRoleDto } from './dto/create-role.dto';
import { RoleDto } from './dto/role.dto';
import { UpdateRoleDto } from './dto/update-role.dto';
import { RolesService, toRoleResponse } from './roles.service';

const READ = ['roles.manage', 'permissions.manage'];

@ApiTags('roles')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  /** List roles, predefined and custom, in name order */
  @Get()
  @RequireAnyPermission(...READ)
  @ApiOkResponse({ type: PageDto(RoleDto) })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Bad paging parameters (`validation_failed`, `invalid_cursor`).',
  })
  list(@Query() query: PageQueryDto): Promise<Page<RoleDto>> {
    return this.roles.list(query);
  }

  /** Create a custom role */
  @Post()
  @RequirePermissions('roles.manage')
  @ApiCreatedResponse({ type: RoleDto, description: 'Created; `Location` names it and `ETag` is its version.' })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Invalid body or unknown permission key (`validation_failed`).',
  })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'The name is taken, predefined names included (`role_name_taken`).',
  })
  async create(
    @ReqContext() context: RequestContext,
    @Body() dto: CreateRoleDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RoleDto> {
    const role = await this.roles.create(context, dto);
    void reply.header('location', `/${API_PREFIX}/roles/${role.id}`).header('etag', etagOf(role.version));
    return toRoleResponse(role);
  }

  /** Get a role */
  @Get(':id')
  @RequireAnyPermission(...READ)
  @ApiOkResponse({ type: RoleDto, description: '`ETag` is its version.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such role (`not_found`).' })
  async get(@IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<RoleDto> {
    const role = await this.roles.get(id);
    void reply.header('etag', etagOf(role.version));
    return toRoleResponse(role);
  }

  /** Change a custom role's name, description or permissions */
  @Patch(':id')
  @RequirePermissions('roles.manage')
  @ApiOkResponse({ type: RoleDto })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Invalid body or unknown permission key (`validation_failed`).',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such role (`not_found`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'Predefined role (`predefined_role`), name taken (`role_name_taken`), or the change would leave no administrator (`last_administrator`).',
  })
  @ApiPreconditionFailedResponse({
    type: ProblemDto,
    description: '`If-Match` names an older version (`precondition_failed`).',
  })
  async update(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateRoleDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RoleDto> {
    const role = await this.roles.update(context, id, dto, ifMatch);
    void reply.header('etag', etagOf(role.version));
    return toRoleResponse(role);
  }

  /** Delete a custom role, taking it from everyone who holds it */
  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('roles.manage')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such role (`not_found`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'Predefined role (`predefined_role`) or the last administrator would lose it (`last_administrator`).',
  })
  async remove(@ReqContext() context: RequestContext, @IdParam() id: string): Promise<void> {
    await this.roles.remove(context, id);
  }

  /** List the users and groups holding a role, with the scope of each assignment */
  @Get(':id/principals')
  @RequireAnyPermission(...READ)
  @ApiOkResponse({ type: PageDto(RoleHolderDto) })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Bad paging parameters (`validation_failed`, `invalid_cursor`).',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such role (`not_found`).' })
  principals(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<RoleHolderDto>> {
    return this.roles.holders(id, query);
  }
}
