import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

export type GroupType = 'internal' | 'external';

/** A flat user group; its table is `user_groups` because `groups` is a reserved word on MySQL 8. */
@Entity('user_groups')
export class GroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** NFC + lower case: unique case-insensitively, accent-sensitively. */
  @Column({ name: 'name_key', type: 'varchar', length: 100 })
  nameKey!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16 })
  type!: GroupType;

  @Column({ name: 'directory_id', type: 'varchar', length: 36, nullable: true })
  directoryId!: string | null;

  /** Kept by every membership write (GroupsRepository), so it is read with the group instead of counted. */
  @Column({ name: 'member_count', type: 'int', default: 0 })
  memberCount!: number;

  @TimestampColumn('created_at')
  createdAt!: Date;

  @TimestampColumn('updated_at')
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
