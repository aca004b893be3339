import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupsRepository } from '../groups/groups.repository';
import { UserEntity } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { DirectoriesRepository } from './directories.repository';
import { DirectoriesService, entryAttributes } from './directories.service';
import { newExternalUser } from './directory-import.service';
import { DirectoryEntity } from './entities/directory.entity';
import { profileOf } from './external-profile';
import { LdapClientFactory } from './ldap-client';
import { and, nameFilter, parseFilter } from './ldap-filters';

/**
 * The LDAP step of a login, called by AuthService. It answers with the user whose password the directory
 * accepted, or null (the caller answers 401 `invalid_credentials` either way); the enabled check stays with
 * the caller, so a disabled user is told so only after a successful bind.
 */
@Injectable()
export class DirectoryAuthenticator {
  private readonly logger = new Logger(DirectoryAuthenticator.name);

  constructor(
    private readonly directories: DirectoriesRepository,
    private readonly groups: GroupsRepository,
    private readonly directoriesService: DirectoriesService,
    private readonly ldap: LdapClientFactory,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /** Whether a login for `user` (null: unknown username) with this `domain` is the directories' business. */
  async handles(user: UserEntity | null, domain: string | undefined): Promise<boolean> {
    if (domain !== undefined || user?.type === 'external') {
      return true;
    }
    return !user && (await this.directories.all()).some((d) => d.createUsersOnLogin);
  }

  async authenticate(
    user: UserEntity | null,
    username: string,
    password: string,
    domain: string | undefined,
    context: RequestContext,
  ): Promise<UserEntity | null> {
    if (!password) {
      return null;
    }
    const chosen = domain !== undefined ? await this.directories.findByDomainKey(nameKey(domain)) : undefined;
    if (chosen === null) {
      return null;
    }
    if (user) {
      if (user.type !== 'external' || !user.directoryId || (chosen && chosen.id !== user.directoryId)) {
        return null;
      }
      const directory = chosen ?? (await this.directories.findById(user.directoryId));
      if (!directory) {
        return null;
      }
      return (await this.bindKnown(directory, user, password)) ? user : null;
    }
    // An unknown username: the directories that create users on login, the chosen one or each in turn.
    const candidates = chosen ? [chosen] : await this.directories.all();
    for (const directory of candidates.filter((d) => d.createUsersOnLogin)) {
      try {
        const created = await this.createOnLogin(directory, username, password, context);
        if (created) {
          return created;
        }
      } catch (error) {
        if (!chosen && error instanceof ProblemException && error.getStatus() >= 500) {
          // Trying each directory in turn: one that is down must not stop the others.
          this.logger.warn(
            { directory: directory.id, code: error.code, requestId: context.requestId },
            'directory skipped during login',
          );
          continue;
        }
        throw error;
      }
    }
    return null;
  }

  /** Binds as the user's DN (looked up by username with the service account when the DN is not known). */
  private async bindKnown(directory: DirectoryEntity, user: UserEntity, password: string): Promise<boolean> {
    let dn = user.externalDn;
    if (!dn) {
      const entry = await this.findEntry(directory, user.username);
      dn = entry?.dn ?? null;
    }
    if (!dn) {
      return false;
    }
    const bindDn = dn;
    return this.ldap.with(directory.url, (connection) => connection.bindUser(bindDn, password));
  }

  private async findEntry(directory: DirectoryEntity, username: string) {
    const filter = and(
      parseFilter(directory.userFilter, 'filter'),
      nameFilter(directory.attributes.username, username),
    );
    const { entries } = await this.directoriesService.withService(directory, (connection) =>
      connection.search(directory.baseDn, filter, entryAttributes(directory), { limit: 2 }),
    );
    // Two entries with one username: refuse rather than guess which person this is.
    return entries.length === 1 ? entries[0] : null;
  }

  /** C23: the first successful bind of a username Roster does not know creates the external user. */
  private async createOnLogin(
    directory: DirectoryEntity,
    username: string,
    password: string,
    context: RequestContext,
  ): Promise<UserEntity | null> {
    if (username.includes('*')) {
      return null;
    }
    const entry = await this.findEntry(directory, username);
    if (!entry) {
      return null;
    }
    if (!(await this.ldap.with(directory.url, (connection) => connection.bindUser(entry.dn, password)))) {
      return null;
    }
    let profile;
    try {
      profile = profileOf(directory, entry);
    } catch {
      return null;
    }
    const user = newExternalUser(directory, entry.dn, profile);
    try {
      await this.transactions.run(async (manager) => {
        await this.directories.insertUser(manager, user);
        const joined =
          directory.defaultGroupId && (await this.directories.groupExists(manager, directory.defaultGroupId));
        if (joined && directory.defaultGroupId) {
          await this.groups.addMembers(manager, directory.defaultGroupId, [user]);
        }
        await this.audit.record(manager, context, {
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          details: { username: user.username, source: 'directory.login', directoryId: directory.id, dn: entry.dn },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Another login created the same user a moment ago.
        return this.directories.findUserByKey(this.directories.manager(), user.usernameKey);
      }
      throw error;
    }
    return user;
  }
}
