import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/decorators/public.decorator';
import { ProblemDto } from '../common/errors/problem.dto';
import { requestContextOf } from '../common/request-context';
import { UserEntity } from '../users/entities/user.entity';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { JwksDto } from './dto/jwks.dto';
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
  login(@Body() _body: LoginDto, @Req() request: FastifyRequest & { user: UserEntity }): Promise<TokenPairDto> {
    return this.auth.login(request.user, requestContextOf(request), {
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
    });
  }

  /** The public keys that verify access tokens (JWKS) */
  @Public()
  @Get('.well-known/jwks.json')
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return { keys: this.keys.jwks() };
  }
}
