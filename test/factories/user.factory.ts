import { randomUUID } from 'node:crypto';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { PasswordHasher } from '../../src/passwords/password-hasher.service';
import { RoleAssignmentsRepository } from '../../src/roles/role-assignments.repository';
import { UserEntity } from '../../src/users/entities/user.entity';
import { newUser } from '../../src/users/new-user';
import { UsersRepository } from '../../src/users/users.repository';
import type { TestApp } from '../helpers/test-app';

let sequence = 0;

export interface CreatedUser {
  id: string;
  username: string;
  password: string;
}

/**
 * Inserts a user straight into the database (defaults plus overrides), for tests whose subject is not user
 * creation itself. `roles` are predefined or custom role ids, assigned globally.
 */
export async function createUser(
  t: TestApp,
  overrides: Partial<UserEntity> & { password?: string; roles?: string[] } = {},
): Promise<CreatedUser> {
  const { password = `Pass phrase ${++sequence} for tests`, roles = [], ...fields } = overrides;
  const username = fields.username ?? `user${sequence}-${randomUUID().slice(0, 8)}`;
  const user: UserEntity = {
    // Profile fields go through newUser too, so the search text is derived from them as in production.
    ...newUser({ ...fields, username, passwordHash: await t.app.get(PasswordHasher).hash(password) }),
    ...fields,
  };

  await t.app.get(TransactionRunner).run(async (manager) => {
    await t.app.get(UsersRepository).insert(manager, user);
    if (roles.length) {
      await t.app.get(RoleAssignmentsRepository).assignGlobal(manager, { type: 'user', id: user.id }, roles);
    }
  });
  return { id: user.id, username, password };
}
