import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { RequirePermissions } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { ProblemException } from '../common/errors/problem.exception';
import { Page, PageDto } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import { ReqContext } from '../common/request-context';
import type { RequestContext } from '../common/request-context';
import { SessionDto } from './dto/session.dto';
import { UserStatusDto } from './dto/user-status.dto';
import { UserSessionsService } from './user-sessions.service';

const userNotFound = ApiNotFoundResponse({ type: ProblemDto, description: 'No such user (`not_found`).' });

/** Any malformed id names no user: 404, like an unknown one. */
const UserId = new ParseUUIDPipe({ exceptionFactory: () => ProblemException.notFound('user') });

/** A user's login state: whether they can log in, their sessions and their brute-force lock. */
@ApiTags('users')
@Controller('users/:id')
export class UserSessionsController {
  constructor(private readonly service: UserSessionsService) {}

  /** Whether the user can log in right now */
  @Get('status')
  @RequirePermissions('users.list')
  @ApiOkResponse({ type: UserStatusDto })
  @userNotFound
  status(@Param('id', UserId) id: string): Promise<UserStatusDto> {
    return this.service.status(id);
  }

  /** The user's live sessions, newest first */
  @Get('sessions')
  @RequirePermissions('users.edit')
  @ApiOkResponse({ type: PageDto(SessionDto) })
  @userNotFound
  sessions(
    @Param('id', UserId) id: string,
    @Query() query: PageQueryDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<Page<SessionDto>> {
    return this.service.sessions(id, query, caller.sessionId);
  }

  /** End every session of the user */
  @Delete('sessions')
  @RequirePermissions('users.edit')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "The user's access and refresh tokens no longer work, on every replica." })
  @userNotFound
  revokeSessions(@Param('id', UserId) id: string, @ReqContext() context: RequestContext): Promise<void> {
    return this.service.revokeSessions(id, context);
  }

  /** Lift the user's brute-force lock and forget their failed logins */
  @Delete('lockout')
  @RequirePermissions('users.edit')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The user can log in again at once.' })
  @userNotFound
  clearLockout(@Param('id', UserId) id: string, @ReqContext() context: RequestContext): Promise<void> {
    return this.service.clearLockout(id, context);
  }
}
