import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

@Entity('group_members')
export class GroupMemberEntity {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 36 })
  groupId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The member's username key, copied (usernames never change) so member pages are one index range. */
  @Column({ name: 'username_key', type: 'varchar', length: 100 })
  usernameKey!: string;

  @TimestampColumn('created_at')
  createdAt!: Date;
}
