import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import { TransactionRunner } from '../database/transaction-runner';
import type { RequestContext } from '../common/request-context';
import { DirectoryAuthenticator } from '../directories/directory-authenticator';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { UserEntity } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { UsersRepository } from '../users/users.repository';
import { TokenPairDto } from './dto/token-pair.dto';
import { SessionOrigin, TokensService } from './tokens.service';

const INVALID_CREDENTIALS = (): ProblemException =>
  ProblemException.unauthorized('invalid_credentials', 'The username or password is incorrect.');

@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly directories: DirectoryAuthenticator,
  ) {}

  /**
   * The password step of a login. Unknown users and wrong passwords get the same answer after the same work
   * (a dummy hash is verified); a disabled account is named only once the password was right.
   */
  async verifyPassword(
    username: string,
    password: string,
    context: RequestContext,
    domain?: string,
  ): Promise<UserEntity> {
    const found = await this.users.findForLogin(nameKey(username));
    if (await this.directories.handles(found, domain)) {
      // External users (and, with createUsersOnLogin, unknown ones) are checked by an LDAP bind.
      const user = await this.directories.authenticate(found, username, password, domain, context);
      if (!user) {
        await this.recordFailure(context, found?.id ?? null, username, 'invalid_credentials');
        throw INVALID_CREDENTIALS();
      }
      if (!user.enabled) {
        await this.recordFailure(context, user.id, username, 'account_disabled');
        throw ProblemException.forbidden('account_disabled', 'This account is disabled.');
      }
      return user;
    }
    const user = found;
    if (!user?.passwordHash) {
      await this.hasher.verifyDummy(password);
      await this.recordFailure(context, user?.id ?? null, username, 'invalid_credentials');
      throw INVALID_CREDENTIALS();
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      await this.recordFailure(context, user.id, username, 'invalid_credentials');
      throw INVALID_CREDENTIALS();
    }
    if (!user.enabled) {
      await this.recordFailure(context, user.id, username, 'account_disabled');
      throw ProblemException.forbidden('account_disabled', 'This account is disabled.');
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      const rehashed = await this.hasher.hash(password);
      await this.transactions.run((manager) => this.users.updatePasswordHash(manager, user.id, rehashed));
    }
    return user;
  }

  /** Opens a session for a user whose password was verified. */
  async login(user: UserEntity, context: RequestContext, origin: SessionOrigin): Promise<TokenPairDto> {
    return this.transactions.run(async (manager) => {
      const pair = await this.tokens.startSession(manager, user, origin);
      await this.users.recordLogin(manager, user.id);
      await this.audit.record(manager, context, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
      });
      return pair;
    });
  }

  private async recordFailure(
    context: RequestContext,
    userId: string | null,
    username: string,
    reason: string,
  ): Promise<void> {
    await this.transactions.run((manager) =>
      this.audit.record(manager, context, {
        action: 'auth.login',
        targetType: 'user',
        targetId: userId,
        outcome: 'failure',
        details: { username: username.slice(0, 100), reason },
      }),
    );
  }
}
