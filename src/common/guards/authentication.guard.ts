import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC } from '../decorators/access.metadata';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { ProblemException } from '../errors/problem.exception';

/** Global guard: every route needs a valid access token unless it is marked `@Public()`. */
@Injectable()
export class AuthenticationGuard extends AuthGuard('access-token') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // A database that cannot be reached says nothing about the token: 503 (retry), not 401 (drop the token).
    if (error instanceof ProblemException || isDatabaseUnavailable(error)) {
      throw error;
    }
    if (error || !user) {
      throw ProblemException.unauthorized();
    }
    return user;
  }
}
