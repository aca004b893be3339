import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Type } from 'class-transformer';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import type { AuditDetails, AuditEventEntity, AuditOutcome } from '../entities/audit-event.entity';

export class ListAuditEventsQueryDto extends PageQueryDto {
  /** Who acted. */
  @IsOptional()
  @IsUUID()
  actorId?: string;

  /** What was acted on. */
  @IsOptional()
  @IsUUID()
  targetId?: string;

  /** @example "user.disable" */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  /** From this time (inclusive, ISO-8601). */
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  /** Up to this time (exclusive, ISO-8601). */
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

export class AuditEventDto {
  id!: string;
  at!: Date;
  /** Null for the system itself or an anonymous caller. */
  actorId!: string | null;
  /** @example "user.disable" */
  action!: string;
  /** @example "user" */
  targetType!: string | null;
  targetId!: string | null;
  @ApiProperty({ enum: ['success', 'failure'] })
  outcome!: AuditOutcome;
  ip!: string | null;
  @ApiProperty({ type: Object, nullable: true, description: 'Facts about the event; never a password or token.' })
  details!: AuditDetails | null;
}

export function toAuditEventDto(event: AuditEventEntity): AuditEventDto {
  const { id, at, actorId, action, targetType, targetId, outcome, ip, details } = event;
  return { id, at, actorId, action, targetType, targetId, outcome, ip, details };
}
