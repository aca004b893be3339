import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupsRepository } from '../groups/groups.repository';
import { newUser } from '../users/new-user';
import { UserEntity } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { DirectoriesRepository, PrincipalRef } from './directories.repository';
import { DirectoriesService, entryAttributes } from './directories.service';
import { ImportDto, ImportResultDto } from './dto/import.dto';
import { DirectoryEntity } from './entities/directory.entity';
import { EntryError, ExternalProfile, groupOf, profileOf } from './external-profile';
import { attributeValues, LdapConnection, LdapEntry, MAX_ENTRIES } from './ldap-client';
import { and, nameFilter, parseFilter } from './ldap-filters';

type Mode = 'directory.import' | 'directory.sync';

/** A new external user for a directory entry. */
export function newExternalUser(directory: DirectoryEntity, dn: string, profile: ExternalProfile): UserEntity {
  return newUser({ ...profile, type: 'external', directoryId: directory.id, externalDn: dn, passwordHash: null });
}

/**
 * Imports and synchronises external users and groups. Each entry is read with the directory's credentials and
 * written in its own transaction, so one bad entry fails alone and a re-run repeats nothing.
 */
@Injectable()
export class DirectoryImportService {
  private readonly logger = new Logger(DirectoryImportService.name);

  constructor(
    private readonly directoriesService: DirectoriesService,
    private readonly directories: DirectoriesRepository,
    private readonly groups: GroupsRepository,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async import(id: string, dto: ImportDto, context: RequestContext): Promise<ImportResultDto[]> {
    const users = dto.users ?? [];
    const groups = dto.groups ?? [];
    if (users.length + groups.length > MAX_ENTRIES) {
      throw ProblemException.validation([
        { field: 'users', message: `users and groups together must not exceed ${MAX_ENTRIES} entries` },
      ]);
    }
    const directory = await this.directoriesService.require(id);
    if (dto.copyRolesFrom && !(await this.directories.principalExists(dto.copyRolesFrom))) {
      throw ProblemException.validation([{ field: 'copyRolesFrom', message: 'is not an existing user or group' }]);
    }
    return this.directoriesService.withService(directory, async (connection) => {
      const run = new EntryRun(this, directory, connection, context, 'directory.import', dto.copyRolesFrom);
      for (const dn of users) {
        await run.user(dn);
      }
      for (const dn of groups) {
        await run.group(dn);
      }
      return run.results;
    });
  }

  /** Re-reads every external user and group of the directory and brings Roster up to date. */
  async sync(id: string, context: RequestContext): Promise<ImportResultDto[]> {
    const directory = await this.directoriesService.require(id);
    const results = await this.directoriesService.withService(directory, async (connection) => {
      const run = new EntryRun(this, directory, connection, context, 'directory.sync');
      for (const user of await this.directories.findExternalUsers(directory.id)) {
        await run.user(user.externalDn, user.username);
      }
      for (const group of await this.directories.findExternalGroups(directory.id)) {
        await run.group(group.externalDn, group.name);
      }
      return run.results;
    });
    await this.transactions.run((manager) =>
      this.audit.record(manager, context, {
        action: 'directory.sync',
        targetType: 'directory',
        targetId: id,
        details: countByStatus(results),
      }),
    );
    return results;
  }

  /** Creates or synchronises the user of one entry in its own transaction. */
  async upsertUser(
    directory: DirectoryEntity,
    entry: LdapEntry,
    context: RequestContext,
    mode: Mode,
    copyRolesFrom?: PrincipalRef,
  ): Promise<{ id: string; usernameKey: string; status: 'created' | 'updated' }> {
    const profile = profileOf(directory, entry);
    try {
      return await this.transactions.run(async (manager) => {
        const existing = await this.directories.findUserByKey(manager, nameKey(profile.username));
        if (existing) {
          // DESIGN §9 / C22: an existing username only has its profile synchronised; type and roles stay.
          const { fullName, email, phone, department, searchText } = profile;
          const ownEntry = existing.type === 'external' && existing.directoryId === directory.id;
          await this.directories.updateUser(manager, existing.id, {
            fullName,
            email,
            phone,
            department,
            searchText,
            ...(ownEntry ? { externalDn: entry.dn } : {}),
          });
          await this.record(manager, context, mode, 'user', existing.id, entry.dn, 'updated');
          return { id: existing.id, usernameKey: existing.usernameKey, status: 'updated' as const };
        }
        const user = newExternalUser(directory, entry.dn, profile);
        await this.directories.insertUser(manager, user);
        if (copyRolesFrom) {
          await this.directories.copyAssignments(manager, copyRolesFrom, { type: 'user', id: user.id });
        }
        await this.record(manager, context, mode, 'user', user.id, entry.dn, 'created');
        return { id: user.id, usernameKey: user.usernameKey, status: 'created' as const };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new EntryError(`the username '${profile.username}' was taken while importing`);
      }
      throw error;
    }
  }

  /** Creates or synchronises the group of one entry and adds its (already imported) members. */
  async upsertGroup(
    directory: DirectoryEntity,
    entry: LdapEntry,
    members: { id: string; usernameKey: string }[],
    context: RequestContext,
    mode: Mode,
    copyRolesFrom?: PrincipalRef,
  ): Promise<{ id: string; status: 'created' | 'updated' }> {
    const group = groupOf(directory, entry);
    try {
      return await this.transactions.run(async (manager) => {
        const existing = await this.directories.findGroupByNameKey(manager, nameKey(group.name));
        if (existing && (existing.type !== 'external' || existing.directoryId !== directory.id)) {
          throw new EntryError(`a group named '${existing.name}' exists and does not come from this directory`);
        }
        const id = existing?.id ?? randomUUID();
        if (existing) {
          await this.directories.updateGroup(manager, id, group.description, entry.dn);
        } else {
          await this.directories.insertGroup(manager, {
            id,
            name: group.name,
            nameKey: nameKey(group.name),
            description: group.description,
            directoryId: directory.id,
            dn: entry.dn,
          });
          if (copyRolesFrom) {
            await this.directories.copyAssignments(manager, copyRolesFrom, { type: 'group', id });
          }
        }
        // C15: members removed in the directory are not removed here.
        const added = (await this.groups.addMembers(manager, id, members)).length;
        const status = existing ? ('updated' as const) : ('created' as const);
        await this.record(manager, context, mode, 'group', id, entry.dn, status, { membersAdded: added });
        return { id, status };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new EntryError(`the group name '${group.name}' was taken while importing`);
      }
      throw error;
    }
  }

  logFailure(dn: string, error: unknown, context: RequestContext): void {
    this.logger.warn({ dn, err: error, requestId: context.requestId }, 'directory entry failed');
  }

  private async record(
    manager: EntityManager,
    context: RequestContext,
    mode: Mode,
    targetType: 'user' | 'group',
    targetId: string,
    dn: string,
    status: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.audit.record(manager, context, {
      action: mode === 'directory.import' ? 'directory.import' : 'directory.sync.entry',
      targetType,
      targetId,
      details: { dn, status, ...extra },
    });
  }
}

/** One import or sync: its results, and the users already handled (a member of two groups is read once). */
class EntryRun {
  readonly results: ImportResultDto[] = [];
  private readonly users = new Map<string, { id: string; usernameKey: string } | null>();
  private entries = 0;

  constructor(
    private readonly service: DirectoryImportService,
    private readonly directory: DirectoryEntity,
    private readonly connection: LdapConnection,
    private readonly context: RequestContext,
    private readonly mode: Mode,
    private readonly copyRolesFrom?: PrincipalRef,
  ) {}

  /** Imports the user at `dn` (or, when the DN is unknown or gone, the one named `username`). */
  async user(dn: string | null, username?: string): Promise<{ id: string; usernameKey: string } | null> {
    const key = (dn ?? `name:${username}`).toLowerCase();
    if (this.users.has(key)) {
      return this.users.get(key) ?? null;
    }
    let handled: { id: string; usernameKey: string } | null = null;
    const shownDn = dn ?? username ?? '';
    if (++this.entries > MAX_ENTRIES) {
      this.fail(shownDn, 'user', `an import handles at most ${MAX_ENTRIES} entries`);
    } else {
      try {
        const entry = await this.read(dn, 'user', username);
        if (!entry) {
          throw new EntryError('not found in the directory as a user entry');
        }
        const result = await this.service.upsertUser(
          this.directory,
          entry,
          this.context,
          this.mode,
          this.copyRolesFrom,
        );
        handled = { id: result.id, usernameKey: result.usernameKey };
        this.results.push({ dn: entry.dn, kind: 'user', status: result.status, id: result.id });
      } catch (error) {
        this.failWith(shownDn, 'user', error);
      }
    }
    this.users.set(key, handled);
    return handled;
  }

  /** Imports the group at `dn` with its members. */
  async group(dn: string | null, name?: string): Promise<void> {
    const shownDn = dn ?? name ?? '';
    if (++this.entries > MAX_ENTRIES) {
      this.fail(shownDn, 'group', `an import handles at most ${MAX_ENTRIES} entries`);
      return;
    }
    try {
      const entry = await this.read(dn, 'group', name);
      if (!entry) {
        throw new EntryError('not found in the directory as a group entry');
      }
      const members: { id: string; usernameKey: string }[] = [];
      for (const memberDn of attributeValues(entry, this.directory.attributes.member)) {
        const member = await this.user(memberDn);
        if (member) {
          members.push(member);
        }
      }
      const result = await this.service.upsertGroup(
        this.directory,
        entry,
        members,
        this.context,
        this.mode,
        this.copyRolesFrom,
      );
      this.results.push({ dn: entry.dn, kind: 'group', status: result.status, id: result.id });
    } catch (error) {
      this.failWith(shownDn, 'group', error);
    }
  }

  /** The entry at `dn` if it passes the user or group filter; else, by name, the one entry with that name. */
  private async read(dn: string | null, kind: 'user' | 'group', name?: string): Promise<LdapEntry | null> {
    const d = this.directory;
    const filter = parseFilter(kind === 'user' ? d.userFilter : d.groupFilter, 'filter');
    const attributes = entryAttributes(d);
    if (dn) {
      const { entries } = await this.connection.search(dn, filter, attributes, { scope: 'base', limit: 1 });
      if (entries[0] || !name) {
        return entries[0] ?? null;
      }
    }
    if (!name) {
      return null;
    }
    const attribute = kind === 'user' ? d.attributes.username : d.attributes.groupName;
    const { entries } = await this.connection.search(d.baseDn, and(filter, nameFilter(attribute, name)), attributes, {
      limit: 1,
    });
    return entries.length === 1 ? entries[0] : null;
  }

  private failWith(dn: string, kind: 'user' | 'group', error: unknown): void {
    if (error instanceof EntryError) {
      this.fail(dn, kind, error.message);
      return;
    }
    if (error instanceof ProblemException && error.code === 'directory_unavailable') {
      // The directory went away mid-run: the whole request says so.
      throw error;
    }
    this.service.logFailure(dn, error, this.context);
    this.fail(dn, kind, 'could not be imported (see the server log)');
  }

  private fail(dn: string, kind: 'user' | 'group', error: string): void {
    this.results.push({ dn, kind, status: 'failed', error });
  }
}

function countByStatus(results: ImportResultDto[]): Record<string, number> {
  const counts: Record<string, number> = { created: 0, updated: 0, failed: 0 };
  for (const r of results) {
    counts[r.status]++;
  }
  return counts;
}
