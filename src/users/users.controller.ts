import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { IdParam } from '../common/id-param';
import { etagOf, versionFromIfMatch } from '../common/etag';
import { ProblemDto } from '../common/errors/problem.dto';
import { Page, PageDto } from '../common/pagination/page';
import { ReqContext, RequestContext } from '../common/request-context';
import { API_PREFIX } from '../common/api-prefix';
import { CreateUserDto } from './dto/create-user.dto';
import { CountUsersQueryDto, ListUsersQueryDto } from './dto/list-users-query.dto';
import { ResetPasswordDto } from './dto/password.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { CountDto, UserResponseDto } from './dto/user-response.dto';
import { UsersService, VersionedUser } from './users.service';

const notFound = ApiNotFoundResponse({ type: ProblemDto, description: 'No such user (`not_found`).' });
const invalid = ApiBadRequestResponse({
  type: ProblemDto,
  description: 'The request is not valid (`validation_failed`).',
});

function withEtag(reply: FastifyReply, { user, version }: VersionedUser): UserResponseDto {
  void reply.header('etag', etagOf(version));
  return user;
}

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Search, filter and page through users */
  @Get()
  @RequirePermissions('users.list')
  @ApiOkResponse({ type: PageDto(UserResponseDto) })
  @invalid
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  /** Count the users that match the filters */
  @Get('count')
  @RequirePermissions('users.list')
  @ApiOkResponse({ type: CountDto })
  @invalid
  async count(@Query() query: CountUsersQueryDto): Promise<CountDto> {
    return { count: await this.users.count(query) };
  }

  /** Create an internal user */
  @Post()
  @RequirePermissions('users.create')
  @ApiCreatedResponse({ type: UserResponseDto, description: 'Created; `Location` names the new user.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid field or password policy (`validation_failed`).' })
  @ApiConflictResponse({ type: ProblemDto, description: 'The username is taken (`username_taken`).' })
  async create(
    @Body() dto: CreateUserDto,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const created = await this.users.create(dto, context);
    void reply.header('location', `/${API_PREFIX}/users/${created.user.id}`);
    return withEtag(reply, created);
  }

  /** Read a user */
  @Get(':id')
  @RequirePermissions('users.list')
  @ApiOkResponse({ type: UserResponseDto, description: '`ETag` carries the version for `If-Match`.' })
  @notFound
  async get(@IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserResponseDto> {
    return withEtag(reply, await this.users.get(id));
  }

  /** Edit a user's profile or Enabled switch */
  @Patch(':id')
  @RequirePermissions('users.edit')
  @ApiHeader({ name: 'If-Match', required: false, description: 'The `ETag` you read; 412 if the user changed since.' })
  @ApiOkResponse({ type: UserResponseDto })
  @invalid
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: '`read_only_external` or `last_administrator`.' })
  @ApiPreconditionFailedResponse({ type: ProblemDto, description: 'Stale `If-Match` (`precondition_failed`).' })
  async update(
    @IdParam() id: string,
    @Body() dto: UpdateUserDto,
    @Headers('if-match') ifMatch: string | undefined,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withEtag(reply, await this.users.update(id, dto, versionFromIfMatch(ifMatch), context));
  }

  /** Let a user log in again */
  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermissions('users.edit')
  @ApiOkResponse({ type: UserResponseDto })
  @notFound
  async enable(
    @IdParam() id: string,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withEtag(reply, await this.users.setEnabled(id, true, context));
  }

  /** Stop a user from logging in; their tokens stop working at once */
  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermissions('users.edit')
  @ApiOkResponse({ type: UserResponseDto })
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: 'The last administrator (`last_administrator`).' })
  async disable(
    @IdParam() id: string,
    @ReqContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    return withEtag(reply, await this.users.setEnabled(id, false, context));
  }

  /** Delete a user with their memberships, role assignments and sessions */
  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('users.remove')
  @ApiNoContentResponse({ description: 'Deleted; the username is free again.' })
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: 'The last administrator (`last_administrator`).' })
  async delete(@IdParam() id: string, @ReqContext() context: RequestContext): Promise<void> {
    await this.users.delete(id, context);
  }

  /** Set a new password for a user (administrator reset); the user's sessions end */
  @Put(':id/password')
  @HttpCode(204)
  @RequirePermissions('users.edit')
  @ApiNoContentResponse({ description: 'Password set; every session of the user has ended.' })
  @invalid
  @notFound
  @ApiConflictResponse({ type: ProblemDto, description: 'An external user (`read_only_external`).' })
  async resetPassword(
    @IdParam() id: string,
    @Body() dto: ResetPasswordDto,
    @ReqContext() context: RequestContext,
  ): Promise<void> {
    await this.users.resetPassword(id, dto, context);
  }
}
