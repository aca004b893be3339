import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** Which LDAP attribute holds each field of a user or group. */
export interface DirectoryAttributes {
  username: string;
  fullName: string;
  email: string;
  phone: string;
  department: string;
  member: string;
  groupName: string;
}

export const DEFAULT_ATTRIBUTES: DirectoryAttributes = {
  username: 'uid',
  fullName: 'cn',
  email: 'mail',
  phone: 'telephoneNumber',
  department: 'departmentNumber',
  member: 'member',
  groupName: 'cn',
};

export const DEFAULT_USER_FILTER = '(objectClass=inetOrgPerson)';
export const DEFAULT_GROUP_FILTER = '(objectClass=groupOfNames)';

/** An LDAP server that external users and groups come from. */
@Entity('directories')
export class DirectoryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'name_key', type: 'varchar', length: 100 })
  nameKey!: string;

  /** The short name a login's `domain` picks this directory by. */
  @Column({ type: 'varchar', length: 100 })
  domain!: string;

  @Column({ name: 'domain_key', type: 'varchar', length: 100 })
  domainKey!: string;

  @Column({ type: 'varchar', length: 500 })
  url!: string;

  @Column({ name: 'bind_dn', type: 'varchar', length: 500 })
  bindDn!: string;

  /** AES-256-GCM ciphertext of the bind password (see DirectorySecrets); never selected unless asked for. */
  @Column({ name: 'bind_password_encrypted', type: 'text', nullable: true, select: false })
  bindPasswordEncrypted?: string | null;

  @Column({ name: 'base_dn', type: 'varchar', length: 500 })
  baseDn!: string;

  @Column({ name: 'user_filter', type: 'varchar', length: 1000 })
  userFilter!: string;

  @Column({ name: 'group_filter', type: 'varchar', length: 1000 })
  groupFilter!: string;

  @Column({ type: 'simple-json' })
  attributes!: DirectoryAttributes;

  @Column({ name: 'create_users_on_login', type: 'boolean' })
  createUsersOnLogin!: boolean;

  @Column({ name: 'default_group_id', type: 'varchar', length: 36, nullable: true })
  defaultGroupId!: string | null;

  @TimestampColumn('created_at')
  createdAt!: Date;

  @TimestampColumn('updated_at')
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
