import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { EntityColumns } from '../database/entity-columns';
import { PreparedStatements } from '../database/prepared-statements';
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
    await this.statements.write(this.columns.insertSql, this.columns.insertValues(event), manager);
  }
}
