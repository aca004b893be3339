import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Put, Query, Res } from '@nestjs/common';
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
import { API_PREFIX } from '../common/api-prefix';
import { RequireAnyPermission, RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { etagOf } from '../common/etag';
import { Page, PageDto } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { IdParam } from '../common/id-param';
import { ReqContext, RequestContext } from '../common/request-context';
import { CountDto } from './dto/count.dto';
import { CreateGroupDto } from './dto/create-group.dto';
import { GroupDto } from './dto/group.dto';
import { GroupFilterDto, GroupListQueryDto } from './dto/group-query.dto';
import { MemberDto } from './dto/member.dto';
import { UpdateGroupDto } from './dto/update-group.dto';
import { UpdateMembersDto } from './dto/update-members.dto';
import { GroupsService, toGroupResponse } from './groups.service';

/** Reading groups and their members: group managers, and whoever may list users (membership is part of a user). */
export const READ_GROUPS = ['groups.manage', 'users.list'];

const PAGING_BAD_REQUEST = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'Bad query parameters (`validation_failed`, `invalid_cursor`).',
});
const GROUP_NOT_FOUND = ApiNotFoundResponse({ type: ProblemDto, description: 'No such group (`not_found`).' });

@ApiTags('groups')
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  /** List groups in name order */
  @Get()
  @RequireAnyPermission(...READ_GROUPS)
  @ApiOkResponse({ type: PageDto(GroupDto) })
  @PAGING_BAD_REQUEST
  list(@Query() query: GroupListQueryDto): Promise<Page<GroupDto>> {
    return this.groups.list(query);
  }

  /** Count the groups matching the filters */
  @Get('count')
  @RequireAnyPermission(...READ_GROUPS)
  @ApiOkResponse({ type: CountDto })
  @PAGING_BAD_REQUEST
  async count(@Query() filter: GroupFilterDto): Promise<CountDto> {
    return { count: await this.groups.count(filter) };
  }

  /** Create an internal group, optionally with its first members */
  @Post()
  @RequirePermissions('groups.manage')
  @ApiCreatedResponse({ type: GroupDto, description: 'Created; `Location` names it and `ETag` is its version.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body (`validation_failed`).' })
  @ApiNotFoundResponse({
    type: ProblemDto,
    description: 'A member id names no user (`not_found`); nothing is created.',
  })
  @ApiConflictResponse({ type: ProblemDto, description: 'The name is taken (`group_name_taken`).' })
  async create(
    @ReqContext() context: RequestContext,
    @Body() dto: CreateGroupDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GroupDto> {
    const group = await this.groups.create(context, dto);
    void reply.header('location', `/${API_PREFIX}/groups/${group.id}`).header('etag', etagOf(group.version));
    return toGroupResponse(group);
  }

  /** Get a group */
  @Get(':id')
  @RequireAnyPermission(...READ_GROUPS)
  @ApiOkResponse({ type: GroupDto, description: '`ETag` is its version.' })
  @GROUP_NOT_FOUND
  async get(@IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<GroupDto> {
    const group = await this.groups.get(id);
    void reply.header('etag', etagOf(group.version));
    return toGroupResponse(group);
  }

  /** Rename a group or change its description */
  @Patch(':id')
  @RequirePermissions('groups.manage')
  @ApiOkResponse({ type: GroupDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body (`validation_failed`).' })
  @GROUP_NOT_FOUND
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'The name is taken (`group_name_taken`) or the group is external (`read_only_external`).',
  })
  @ApiPreconditionFailedResponse({
    type: ProblemDto,
    description: '`If-Match` names an older version (`precondition_failed`).',
  })
  async update(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateGroupDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GroupDto> {
    const group = await this.groups.update(context, id, dto, ifMatch);
    void reply.header('etag', etagOf(group.version));
    return toGroupResponse(group);
  }

  /** Delete a group; its members lose the roles they had through it */
  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('groups.manage')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @GROUP_NOT_FOUND
  @ApiConflictResponse({ type: ProblemDto, description: 'It would leave no administrator (`last_administrator`).' })
  async remove(@ReqContext() context: RequestContext, @IdParam() id: string): Promise<void> {
    await this.groups.remove(context, id);
  }

  /** List a group's members in username order */
  @Get(':id/members')
  @RequireAnyPermission(...READ_GROUPS)
  @ApiOkResponse({ type: PageDto(MemberDto) })
  @PAGING_BAD_REQUEST
  @GROUP_NOT_FOUND
  members(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<MemberDto>> {
    return this.groups.members(id, query);
  }

  /** Add and remove members in one atomic change */
  @Patch(':id/members')
  @RequirePermissions('groups.manage')
  @ApiOkResponse({ type: GroupDto, description: 'The group with its new member count.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body (`validation_failed`).' })
  @ApiNotFoundResponse({
    type: ProblemDto,
    description: 'No such group, or an id names no user (`not_found`); nothing changes.',
  })
  @ApiConflictResponse({
    type: ProblemDto,
    description:
      'External group (`read_only_external`) or a removal would leave no administrator (`last_administrator`).',
  })
  async changeMembers(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateMembersDto,
  ): Promise<GroupDto> {
    return toGroupResponse(await this.groups.changeMembers(context, id, dto));
  }

  /** Add one member (idempotent) */
  @Put(':id/members/:userId')
  @HttpCode(204)
  @RequirePermissions('groups.manage')
  @ApiNoContentResponse({ description: 'The user is a member.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such group or user (`not_found`).' })
  @ApiConflictResponse({ type: ProblemDto, description: 'External group (`read_only_external`).' })
  async addMember(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @IdParam('userId') userId: string,
  ): Promise<void> {
    await this.groups.addMember(context, id, userId);
  }

  /** Remove one member (idempotent) */
  @Delete(':id/members/:userId')
  @HttpCode(204)
  @RequirePermissions('groups.manage')
  @ApiNoContentResponse({ description: 'The user is not a member.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such group or user (`not_found`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'External group (`read_only_external`) or it would leave no administrator (`last_administrator`).',
  })
  async removeMember(
    @ReqContext() context: RequestContext,
    @IdParam() id: string,
    @IdParam('userId') userId: string,
  ): Promise<void> {
    await this.groups.removeMember(context, id, userId);
  }
}

@ApiTags('groups')
@Controller('users/:id/groups')
export class UserGroupsController {
  constructor(private readonly groups: GroupsService) {}

  /** List the groups a user belongs to, in name order */
  @Get()
  @RequireAnyPermission(...READ_GROUPS)
  @ApiOkResponse({ type: PageDto(GroupDto) })
  @PAGING_BAD_REQUEST
  @ApiNotFoundResponse({ type: ProblemDto, description: 'No such user (`not_found`).' })
  list(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<GroupDto>> {
    return this.groups.groupsOfUser(id, query);
  }
}
