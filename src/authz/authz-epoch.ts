import { EntityManager } from 'typeorm';
import { beforeCommit } from '../database/transaction-runner';

/**
 * The authorization epoch: a counter in the database (`authz_epoch`) that every committed change to who may do
 * what moves forward. Every authenticated request reads it with its session, in the same statement, and cached
 * permissions are used only under the epoch they were read at; so a change made on any replica applies to the
 * very next request on every replica, and permissions cost no query while nothing changes.
 *
 * The repositories that write grants call `authzChanged` in the transaction of the write: role permissions, role
 * assignments and their resources, group memberships, and a user's enabled flag or existence.
 */
export function authzChanged(manager: EntityManager): void {
  beforeCommit(manager, 'authz-epoch', (m) => m.query('UPDATE authz_epoch SET value = value + 1 WHERE id = 1'));
}

/** A scalar subquery for a statement that reads the current epoch along with its own rows. */
export const CURRENT_AUTHZ_EPOCH = '(SELECT value FROM authz_epoch WHERE id = 1)';
