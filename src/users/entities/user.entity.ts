import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

export type UserType = 'internal' | 'external';

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  username!: string;

  /** NFC + lower case: unique case-insensitively, accent-sensitively, on every database. */
  @Column({ name: 'username_key', type: 'varchar', length: 100 })
  usernameKey!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200, nullable: true })
  fullName!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department!: string | null;

  /** Lower-cased username, full name and email, for case-insensitive substring search. */
  @Column({ name: 'search_text', type: 'varchar', length: 600 })
  searchText!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: UserType;

  @Column({ name: 'directory_id', type: 'varchar', length: 36, nullable: true })
  directoryId!: string | null;

  /** The DN of an external user's entry in its directory. */
  @Column({ name: 'external_dn', type: 'varchar', length: 500, nullable: true })
  externalDn!: string | null;

  @Column({
    name: 'password_hash',
    type: 'varchar',
    length: 255,
    nullable: true,
    select: false,
  })
  passwordHash!: string | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'must_change_password', type: 'boolean' })
  mustChangePassword!: boolean;

  @TimestampColumn('last_login_at', { nullable: true })
  lastLoginAt!: Date | null;

  @TimestampColumn('last_activity_at', { nullable: true })
  lastActivityAt!: Date | null;

  @TimestampColumn('created_at')
  createdAt!: Date;

  @TimestampColumn('updated_at')
  updatedAt!: Date;

  @VersionColumn()
  version!: number;

  /** The bloom of the search text's trigrams (see users/search-grams.ts); set by UsersRepository, never read. */
  @Column({ name: 'gram_bloom', type: 'bigint', select: false, default: 0 })
  gramBloom?: number;
}
