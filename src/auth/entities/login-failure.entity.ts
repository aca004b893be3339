import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** Failed password attempts of one account, shared by every replica; deleted by a successful login. */
@Entity('login_failures')
export class LoginFailureEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** Failures since the last lock (or success); reaching the threshold starts a lock. */
  @Column({ type: 'int' })
  consecutive!: number;

  /** Locks so far: each one lasts twice as long as the previous, up to the maximum. */
  @Column({ name: 'lock_count', type: 'int' })
  lockCount!: number;

  @TimestampColumn('locked_until', { nullable: true })
  lockedUntil!: Date | null;

  @TimestampColumn('hour_started_at')
  hourStartedAt!: Date;

  /** Failures since `hourStartedAt`; the hourly cap locks the account for the rest of that hour. */
  @Column({ name: 'hour_count', type: 'int' })
  hourCount!: number;

  @TimestampColumn('updated_at')
  updatedAt!: Date;
}
