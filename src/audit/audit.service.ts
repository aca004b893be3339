import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { EntityColumns } from '../database/entity-columns';
import { PreparedStatements, SqlStatement } from '../database/prepared-statements';
import { AuditDetails, AuditEventEntity, AuditOutcome } from './entities/audit-event.entity';

export interface AuditRecord {
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome?: AuditOutcome;
  details?: AuditDetails;
}

/** Writes audit events inside the caller's transaction, so an event exists exactly when its change does. */
@Injectable()
export class AuditService {
  private readonly columns: EntityColumns<AuditEventEntity>;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {
    this.columns = new EntityColumns(dataSource, AuditEventEntity, 'e');
  }

  async record(manager: EntityManager, context: RequestContext, record: AuditRecord): Promise<void> {
    await this.statements.run(this.recordStatement(context, record), manager);
  }

  /** `record` as a statement, for a transaction sent in one round trip (TransactionRunner.runStatements). */
  recordStatement(context: RequestContext, record: AuditRecord): SqlStatement {
    const event: AuditEventEntity = {
      id: randomUUID(),
      at: new Date(),
      actorId: context.actorId,
      action: record.action,
      targetType: record.targetType ?? null,
      targetId: record.targetId ?? null,
      outcome: record.outcome ?? 'success',
      ip: context.ip,
      requestId: context.requestId,
      details: record.details ?? null,
    };
    return { sql: this.columns.insertSql, values: this.columns.insertValues(event) };
  }
}
