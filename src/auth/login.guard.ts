import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../common/errors/problem.exception';
import { createValidationPipe } from '../common/validation.pipe';
import { LoginDto } from './dto/login.dto';

/**
 * Runs the local strategy, but only on a well-formed body: a missing or non-string username or password is a
 * 400 `validation_failed`, never a credential check.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  private readonly pipe = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.body = (await this.pipe.transform(request.body, { type: 'body', metatype: LoginDto })) as LoginDto;
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof Error) {
      throw error;
    }
    if (!user) {
      throw ProblemException.unauthorized('invalid_credentials', 'The username or password is incorrect.');
    }
    return user;
  }
}
