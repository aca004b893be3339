import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { sqlTimestamp } from '../database/sql-time';
import { ListAuditEventsQueryDto } from './dto/audit-event.dto';
import { AuditEventEntity } from './entities/audit-event.entity';

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  /** Newest first, one keyset page of `limit + 1` rows. */
  page(filters: ListAuditEventsQueryDto, limit: number, position?: CursorValue[]): Promise<AuditEventEntity[]> {
    const qb = this.events.createQueryBuilder('e');
    if (filters.actorId) {
      qb.andWhere('e.actorId = :actorId', { actorId: filters.actorId });
    }
    if (filters.targetId) {
      qb.andWhere('e.targetId = :targetId', { targetId: filters.targetId });
    }
    if (filters.action) {
      qb.andWhere('e.action = :action', { action: filters.action });
    }
    if (filters.from) {
      qb.andWhere('e.at >= :from', { from: sqlTimestamp(filters.from) });
    }
    if (filters.to) {
      qb.andWhere('e.at < :to', { to: sqlTimestamp(filters.to) });
    }
    return applyKeyset(qb, 'e.at', 'e.id', 'DESC', position)
      .limit(limit + 1)
      .getMany();
  }
}
