import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** A fixed-window counter shared by every replica (`login:ip:<address>`). */
@Entity('rate_limits')
export class RateLimitEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  bucket!: string;

  @Column({ type: 'int' })
  hits!: number;

  @TimestampColumn('window_ends_at')
  windowEndsAt!: Date;
}
