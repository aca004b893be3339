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

  @TimestampColumn('used_at', { nullable: true })
  usedAt!: Date | null;
}
