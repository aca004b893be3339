import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Public } from '../common/decorators/public.decorator';
import { RequirePermissions, SelfService } from '../common/decorators/require-permissions.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { ReqContext, requestContextOf } from '../common/request-context';
import type { RequestContext } from '../common/request-context';
import { AuthService, VerifiedLogin } from './auth.service';
import { IntrospectDto, IntrospectionDto } from './dto/introspection.dto';
import { LoginDto } from './dto/login.dto';
import { JwksDto } from './dto/jwks.dto';
import { RefreshDto } from './dto/refresh.dto';
import { SigningKeyDto } from './dto/signing-key.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { LoginGuard } from './login.guard';
import { SigningKeysService } from './signing-keys.service';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly keys: SigningKeysService,
  ) {}

  /** Log in with a username and password */
  @Public()
  @Post('auth/login')
  @ApiOperation({
    description:
      'Returns an access token (send it as `Authorization: Bearer …`, or paste it into **Authorize**) and a refresh token.',
  })
  @HttpCode(200)
  @UseGuards(LoginGuard)
  // LoginGuard validated the body already (it must, before any credential check): documented here, not piped again.
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Malformed body (`validation_failed`).' })
  @ApiUnauthorizedResponse({
    type: ProblemDto,
    description: 'Unknown user, wrong password or locked account (`invalid_credentials`).',
  })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'Right password, disabled account (`account_disabled`).' })
  @ApiTooManyRequestsResponse({
    type: ProblemDto,
    description: 'Too many attempts from this address (`rate_limited`).',
  })
  login(@Req() request: FastifyRequest): Promise<TokenPairDto> {
    const verified = (request as FastifyRequest & { user: VerifiedLogin }).user;
    return this.auth.login(
      verified,
      { ...requestContextOf(request), actorId: verified.user.id },
      { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
    );
  }

  /** Exchange a refresh token for a new token pair */
  @Public()
  @Post('auth/refresh')
  @ApiOperation({
    description:
      'Each refresh token works once. Presenting a spent one again revokes the whole session, since it must have been copied.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Malformed body (`validation_failed`).' })
  @ApiUnauthorizedResponse({
    type: ProblemDto,
    description:
      'The refresh token is unknown, spent, expired, or its session or user is no longer live (`invalid_token`).',
  })
  refresh(@Body() body: RefreshDto, @ReqContext() context: RequestContext): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken, context);
  }

  /** Log out: end the session of the calling access token */
  @SelfService()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The session is revoked; its access and refresh tokens no longer work.' })
  logout(@CurrentUser() user: AuthenticatedUser, @ReqContext() context: RequestContext): Promise<void> {
    return this.auth.logout(user.id, user.sessionId, context);
  }

  /** Check whether an access token is live (RFC 7662) */
  @RequirePermissions('tokens.introspect')
  @Post('auth/introspect')
  @ApiOperation({
    description:
      'For services that must know whether a token is still good right now: its signature and expiry, its session and its user are checked. Anything not live is answered with `{ "active": false }` alone.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: IntrospectionDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Malformed body (`validation_failed`).' })
  introspect(@Body() body: IntrospectDto): Promise<IntrospectionDto> {
    return this.auth.introspect(body.token);
  }

  /** Rotate the key that signs access tokens */
  @RequirePermissions('server.configure')
  @Post('auth/keys/rotate')
  @ApiOperation({
    description:
      'New tokens are signed with a new key at once on this replica and within `SIGNING_KEYS_RELOAD_SECONDS` on the others. Old public keys stay in the JWKS until the tokens they signed have expired.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: SigningKeyDto })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'The key is set by `JWT_PRIVATE_KEY` and cannot be rotated here (`signing_key_configured`).',
  })
  async rotateKeys(@ReqContext() context: RequestContext): Promise<SigningKeyDto> {
    return { kid: await this.keys.rotate(context) };
  }

  /** The public keys that verify access tokens (JWKS) */
  @Public()
  @Get('.well-known/jwks.json')
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return { keys: this.keys.jwks() };
  }
}
