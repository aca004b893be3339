import { randomUUID } from 'node:crypto';
import { UserEntity, UserType } from './entities/user.entity';
import { nameKey, searchText } from './username';

export interface NewUserFields {
  username: string;
  passwordHash: string | null;
  fullName?: string | null;
  email?: string | null;
  phone?: string | null;
  department?: string | null;
  type?: UserType;
  directoryId?: string | null;
  externalDn?: string | null;
  enabled?: boolean;
  mustChangePassword?: boolean;
}

/** A user not yet saved: the one place that derives its keys and defaults (enabled, internal, version 1). */
export function newUser(fields: NewUserFields): UserEntity {
  const now = new Date();
  const profile = {
    fullName: fields.fullName ?? null,
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    department: fields.department ?? null,
  };
  return {
    id: randomUUID(),
    username: fields.username,
    usernameKey: nameKey(fields.username),
    ...profile,
    searchText: searchText({ username: fields.username, ...profile }),
    type: fields.type ?? 'internal',
    directoryId: fields.directoryId ?? null,
    externalDn: fields.externalDn ?? null,
    passwordHash: fields.passwordHash,
    enabled: fields.enabled ?? true,
    mustChangePassword: fields.mustChangePassword ?? false,
    lastLoginAt: null,
    lastActivityAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}
