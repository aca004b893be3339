import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { requestContextOf } from '../common/request-context';
import { AuthService, VerifiedLogin } from './auth.service';

/** The password step of `POST /auth/login`. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ passReqToCallback: true, session: false });
  }

  validate(request: FastifyRequest, username: string, password: string): Promise<VerifiedLogin> {
    const { domain } = (request.body ?? {}) as { domain?: unknown };
    return this.auth.verifyPassword(
      username,
      password,
      requestContextOf(request),
      typeof domain === 'string' ? domain : undefined,
    );
  }
}
