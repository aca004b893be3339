import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { API_PREFIX } from '../common/api-prefix';
import { RequireAnyPermission, RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { Page, PageDto } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { IdParam } from '../common/id-param';
import { ReqContext, RequestContext } from '../common/request-context';
import { AssignmentDto, CopyAssignmentsDto, CopyResultDto, CreateAssignmentDto } from './dto/assignment.dto';
import type { PrincipalType } from './entities/role-assignment.entity';
import { RoleAssignmentsService } from './role-assignments.service';

const READ = ['permissions.manage', 'users.list'];

const CREATE_CONFLICT = ApiConflictResponse({
  type: ProblemDto,
  description: 'The principal already holds this role with this scope (`assignment_exists`).',
});
const CREATE_BAD_REQUEST = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'Invalid body (`validation_failed`) or resources given for a global-only role (`global_only_role`).',
});
const DELETE_CONFLICT = ApiConflictResponse({
  type: ProblemDto,
  description: 'Removing it would leave no administrator (`last_administrator`).',
});

/** The same routes for users and groups. */
abstract class PrincipalAssignments {
  protected abstract readonly type: PrincipalType;

  constructor(protected readonly assignments: RoleAssignmentsService) {}

  protected doList(id: string, query: PageQueryDto): Promise<Page<AssignmentDto>> {
    return this.assignments.list({ type: this.type, id }, query);
  }

  protected async doCreate(
    context: RequestContext,
    id: string,
    dto: CreateAssignmentDto,
    reply: FastifyReply,
  ): Promise<AssignmentDto> {
    const assignment = await this.assignments.create(context, { type: this.type, id }, dto);
    void reply.header('location', `/${API_PREFIX}/${this.type}s/${id}/role-assignments/${assignment.id}`);
    return assignment;
  }

  protected doRemove(context: RequestContext, id: string, assignmentId: string): Promise<void> {
    return this.assignments.remove(context, { type: this.type, id }, assignmentId);
  }
}

@ApiTags('roles')
@Controller('users/:id/role-assignments')
export class UserRoleAssignmentsController extends PrincipalAssignments {
  protected readonly type = 'user';

  // Explicit, so Nest sees the constructor's parameter types (the abstract base has no decorator to emit them).
  constructor(assignments: RoleAssignmentsService) {
    super(assignments);
  }

  /** List a user's own role assignments (not those of their groups) */
  @Get()
  @RequireAnyPermission(...READ)
  @ApiOkResponse({ type: PageDto(AssignmentDto) })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Bad paging parameters (`validation_failed`, `invalid_cursor`).',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such user (`not_found`).' })
  list(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<AssignmentDto>> {
    return this.doList(id, query);
  }

  /** Give a user a role, globally or on resources */
  @Post()
  @RequirePermissions('permissions.manage')
  @ApiCreatedResponse({ type: AssignmentDto })
  @CREATE_BAD_REQUEST
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such user or role (`not_found`).' })
  @CREATE_CONFLICT
  create(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @Body() dto: CreateAssignmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssignmentDto> {
    return this.doCreate(context, id, dto, reply);
  }

  /** Take a role assignment from a user */
  @Delete(':assignmentId')
  @HttpCode(204)
  @RequirePermissions('permissions.manage')
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such assignment of this user (`not_found`).' })
  @DELETE_CONFLICT
  remove(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @IdParam('assignmentId') assignmentId: string,
  ): Promise<void> {
    return this.doRemove(context, id, assignmentId);
  }
}

@ApiTags('groups')
@Controller('groups/:id/role-assignments')
export class GroupRoleAssignmentsController extends PrincipalAssignments {
  protected readonly type = 'group';

  // Explicit, so Nest sees the constructor's parameter types (the abstract base has no decorator to emit them).
  constructor(assignments: RoleAssignmentsService) {
    super(assignments);
  }

  /** List a group's role assignments (its members inherit them) */
  @Get()
  @RequireAnyPermission(...READ)
  @ApiOkResponse({ type: PageDto(AssignmentDto) })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description: 'Bad paging parameters (`validation_failed`, `invalid_cursor`).',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such group (`not_found`).' })
  list(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<AssignmentDto>> {
    return this.doList(id, query);
  }

  /** Give a group a role, globally or on resources; its members inherit it */
  @Post()
  @RequirePermissions('permissions.manage')
  @ApiCreatedResponse({ type: AssignmentDto })
  @CREATE_BAD_REQUEST
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such group or role (`not_found`).' })
  @CREATE_CONFLICT
  create(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @Body() dto: CreateAssignmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssignmentDto> {
    return this.doCreate(context, id, dto, reply);
  }

  /** Take a role assignment from a group (and so from its members) */
  @Delete(':assignmentId')
  @HttpCode(204)
  @RequirePermissions('permissions.manage')
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such assignment of this group (`not_found`).' })
  @DELETE_CONFLICT
  remove(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @IdParam('assignmentId') assignmentId: string,
  ): Promise<void> {
    return this.doRemove(context, id, assignmentId);
  }
}

@ApiTags('roles')
@Controller('role-assignments')
export class RoleAssignmentsCopyController {
  constructor(private readonly assignments: RoleAssignmentsService) {}

  /** Copy one user's or group's role assignments to other users and groups */
  @Post('copy')
  @HttpCode(200)
  @RequirePermissions('permissions.manage')
  @ApiOkResponse({ type: CopyResultDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body (`validation_failed`).' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'The source or a target does not exist (`not_found`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: '`replace` would leave no administrator (`last_administrator`).',
  })
  copy(@ReqContext() context: RequestContext, @Body() dto: CopyAssignmentsDto): Promise<CopyResultDto> {
    return this.assignments.copy(context, dto);
  }
}
