import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { sqlTimestamp } from '../database/sql-time';
import { SessionEntity } from '../sessions/entities/session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { UserRow, UsersRepository } from '../users/users.repository';
import { BruteForceService } from './brute-force.service';
import { SessionDto } from './dto/session.dto';
import { UserStatusDto } from './dto/user-status.dto';

export function toSessionResponse(session: SessionEntity, currentSessionId: string): SessionDto {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    lastUsedAt: session.lastUsedAt?.toISOString() ?? null,
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === currentSessionId,
  };
}

@Injectable()
export class UserSessionsService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly sessionsRepository: SessionsRepository,
    private readonly bruteForce: BruteForceService,
    private readonly audit: AuditService,
  ) {}

  async status(userId: string): Promise<UserStatusDto> {
    const { user, lockedUntil: lockEnd } = await this.existing(userId);
    const lockedUntil = lockEnd && lockEnd.getTime() > Date.now() ? lockEnd : null;
    return {
      enabled: user.enabled,
      locked: !!lockedUntil,
      lockedUntil: lockedUntil?.toISOString() ?? null,
      type: user.type,
      canLogIn: user.enabled && !lockedUntil,
    };
  }

  async sessions(userId: string, query: PageQueryDto, currentSessionId: string): Promise<Page<SessionDto>> {
    await this.existing(userId);
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await this.sessionsRepository.pageLive(userId, limit, position);
    return toPage(
      rows,
      limit,
      (session) => [sqlTimestamp(session.createdAt), session.id],
      (session) => toSessionResponse(session, currentSessionId),
    );
  }

  async revokeSessions(userId: string, context: RequestContext): Promise<void> {
    await this.existing(userId);
    await this.transactions.run(async (manager) => {
      const revoked = await this.sessionsRepository.revokeAllForUser(manager, userId);
      await this.audit.record(manager, context, {
        action: 'user.sessions_revoke',
        targetType: 'user',
        targetId: userId,
        details: { revoked },
      });
    });
  }

  async clearLockout(userId: string, context: RequestContext): Promise<void> {
    await this.existing(userId);
    await this.transactions.run(async (manager) => {
      const cleared = await this.bruteForce.reset(manager, userId);
      await this.audit.record(manager, context, {
        action: 'user.lockout_clear',
        targetType: 'user',
        targetId: userId,
        details: { hadFailures: cleared },
      });
    });
  }

  private async existing(userId: string): Promise<UserRow> {
    const row = await this.users.findById(userId);
    if (!row) {
      throw ProblemException.notFound('user');
    }
    return row;
  }
}
