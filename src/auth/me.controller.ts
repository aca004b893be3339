import { Body, Controller, Get, Patch, Put, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthzService } from '../authz/authz.service';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { SelfService } from '../common/decorators/require-permissions.decorator';
import { etagOf } from '../common/etag';
import { ProblemDto } from '../common/errors/problem.dto';
import { ReqContext, RequestContext } from '../common/request-context';
import { ChangePasswordDto } from '../users/dto/password.dto';
import { UpdateProfileDto } from '../users/dto/update-user.dto';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { UsersService } from '../users/users.service';
import { MeResponseDto } from './dto/me-response.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { TokensService } from './tokens.service';

/** My account: what every logged-in user may do for themselves. */
@ApiTags('me')
@SelfService()
@Controller('me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly authz: AuthzService,
  ) {}

  /** Read my account and everything I may do */
  @Get()
  @ApiOkResponse({ type: MeResponseDto })
  async get(
    @CurrentUser() me: AuthenticatedUser,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MeResponseDto> {
    const [{ user, version }, permissions] = await Promise.all([
      this.users.get(me.id),
      this.authz.effectivePermissions(me.id),
    ]);
    void reply.header('etag', etagOf(version));
    return { ...user, permissions };
  }

  /** Change my full name, email, phone or department */
  @Patch()
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'The request is not valid (`validation_failed`).' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'External users cannot edit their profile (`read_only_external`).',
  })
  async update(
    @CurrentUser() me: AuthenticatedUser,
    @Body() dto: UpdateProfileDto,
    @ReqContext() context: RequestContext,
  ): Promise<UserResponseDto> {
    return (await this.users.updateOwnProfile(me.id, dto, context)).user;
  }

  /** Change my password; every session ends and a fresh token pair is returned */
  @Put('password')
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({
    type: ProblemDto,
    description:
      'Wrong current password (`invalid_current_password`) or the new one breaks the policy (`validation_failed`).',
  })
  @ApiConflictResponse({ type: ProblemDto, description: 'External users change passwords in their directory.' })
  async changePassword(
    @CurrentUser() me: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @ReqContext() context: RequestContext,
    @Req() request: FastifyRequest,
  ): Promise<TokenPairDto> {
    let pair: TokenPairDto | undefined;
    await this.users.changeOwnPassword(me.id, dto.currentPassword, dto.newPassword, context, async (manager, user) => {
      pair = await this.tokens.startSession(manager, user, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
    });
    return pair!;
  }
}
