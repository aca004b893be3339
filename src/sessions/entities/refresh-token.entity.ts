import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** One refresh token of a session, stored as its SHA-256. Used once; a second use reveals theft. */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @TimestampColumn('created_at')
  createdAt!: Date;

  /** Set on tokens spent before parent_hash existed; a token is spent when another names it as its parent. */
  @TimestampColumn('used_at', { nullable: true })
  usedAt!: Date | null;

  /** The token this one was issued in exchange for (null for a session's first token); unique. */
  @Column({ name: 'parent_hash', type: 'varchar', length: 64, nullable: true })
  parentHash!: string | null;
}
