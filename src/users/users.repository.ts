import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { authzChanged } from '../authz/authz-epoch';
import type { CursorValue } from '../common/pagination/cursor';
import { containsPattern, prefixPattern } from '../common/like-pattern';
import { countsByType } from '../common/counts-by-type';
import { applyKeyset } from '../common/pagination/keyset';
import { batchedLookup, placeholders } from '../database/batched-lookup';
import { EntityColumns } from '../database/entity-columns';
import { PreparedStatements, SqlStatement } from '../database/prepared-statements';
import { parseSqlTimestamp, sqlTimestamp } from '../database/sql-time';
import type { UserFilters, UserSort } from './dto/list-users-query.dto';
import { UserEntity, UserType } from './entities/user.entity';
import { gramBloom, gramsOf } from './search-grams';
import { SearchPlan, UserSearchIndex } from './user-search-index';
import { nameKey } from './username';

/** A user with the end of its brute-force lock, if any (kept by auth in `login_failures`). */
export interface UserRow {
  user: UserEntity;
  lockedUntil: Date | null;
}

/** The user a login names, and whether failed attempts are on record (a success then clears them). */
export interface LoginCandidate extends UserRow {
  hasFailures: boolean;
}

/** What a login reads first: the user it names, if any, and its address's open window of failures, if any. */
export interface LoginLookup {
  candidate: LoginCandidate | null;
  addressWindow: { hits: number; windowEndsAt: Date } | null;
}

export type UserChanges = Partial<
  Pick<
    UserEntity,
    | 'fullName'
    | 'email'
    | 'phone'
    | 'department'
    | 'enabled'
    | 'searchText'
    | 'passwordHash'
    | 'mustChangePassword'
    | 'type'
    | 'directoryId'
    | 'externalDn'
  >
>;

const SORT_COLUMNS: Record<string, string> = {
  username: 'u.usernameKey',
  lastActivityAt: 'u.lastActivityAt',
  createdAt: 'u.createdAt',
};

/** The keyset position of a row for a sort: the sort column's value, then the id. */
export function userPosition(user: UserEntity, sort: UserSort): CursorValue[] {
  const field = sort.replace(/^-/, '');
  const value = field === 'username' ? user.usernameKey : field === 'createdAt' ? user.createdAt : user.lastActivityAt;
  return [value instanceof Date ? sqlTimestamp(value) : value, user.id];
}

@Injectable()
export class UsersRepository {
  private readonly columns: EntityColumns<UserEntity>;
  private readonly columnsWithHash: EntityColumns<UserEntity>;
  private readonly byId: string;
  private readonly byIds: (count: number) => string;
  /** Users read by id outside a transaction; reads that arrive together share one query (batchedLookup). */
  private readonly user = batchedLookup((ids: string[]) => this.findByIds(ids));
  private readonly forLogin: string;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly statements: PreparedStatements,
    private readonly searchIndex: UserSearchIndex,
  ) {
    this.columns = new EntityColumns(users.manager.connection, UserEntity, 'u');
    this.columnsWithHash = new EntityColumns(users.manager.connection, UserEntity, 'u', ['passwordHash']);
    const withLockout = `SELECT ${this.columns.selectList}, lf.locked_until AS lockedUntil, lf.user_id AS failuresOf
      FROM users u LEFT JOIN login_failures lf ON lf.user_id = u.id`;
    this.byId = `${withLockout} WHERE u.id = ?`;
    this.byIds = (count) => `${withLockout} WHERE u.id IN (${placeholders(count)})`;
    // One row whether or not the user exists, so the address's window comes along either way.
    this.forLogin = `SELECT ${this.columnsWithHash.selectList}, lf.locked_until AS lockedUntil, lf.user_id AS failuresOf,
        rl.hits AS addressHits, rl.window_ends_at AS addressWindowEndsAt
      FROM (SELECT 1 AS one) d
      LEFT JOIN users u ON u.username_key = ?
      LEFT JOIN login_failures lf ON lf.user_id = u.id
      LEFT JOIN rate_limits rl ON rl.bucket = ? AND rl.window_ends_at > ?`;
  }

  async isEmpty(): Promise<boolean> {
    return !(await this.users.exists());
  }

  /** The user by id (without its password hash), in the transaction of `manager` if given. */
  async findById(id: string, manager?: EntityManager): Promise<UserRow | null> {
    if (!manager) {
      return (await this.user(id)) ?? null;
    }
    const [row] = await this.statements.select<Record<string, unknown>>(this.byId, [id], manager);
    return row ? this.candidate(this.columns, row) : null;
  }

  private async findByIds(ids: string[]): Promise<Map<string, UserRow>> {
    const rows = await this.statements.select<Record<string, unknown>>(this.byIds(ids.length), ids);
    return new Map(rows.map((row) => [row.u_id as string, this.candidate(this.columns, row)]));
  }

  /**
   * The user a login names, with the password hash that is otherwise never selected and the end of its lock, and
   * the open window of failed logins of the address `addressBucket` (see BruteForceService): one statement.
   */
  async findForLogin(usernameKey: string, addressBucket: string): Promise<LoginLookup> {
    const [row] = await this.statements.select<Record<string, unknown>>(this.forLogin, [
      usernameKey,
      addressBucket,
      sqlTimestamp(),
    ]);
    return {
      candidate: row.u_id === null ? null : this.candidate(this.columnsWithHash, row),
      addressWindow:
        row.addressHits === null
          ? null
          : {
              hits: Number(row.addressHits),
              windowEndsAt: parseSqlTimestamp(row.addressWindowEndsAt as Date | string)!,
            },
    };
  }

  findWithPasswordHash(id: string): Promise<UserEntity | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id }).getOne();
  }

  /**
   * One keyset page (`limit + 1` rows, see `toPage`), in the order of `sort`. A substring search is planned on the
   * trigram index (UserSearchIndex): the users holding the term's rarest trigrams are its only candidates, read in
   * page order from one join; a term of common trigrams only is scanned for, below.
   */
  async page(filters: UserFilters, sort: UserSort, limit: number, position?: CursorValue[]): Promise<UserRow[]> {
    const column = SORT_COLUMNS[sort.replace(/^-/, '')];
    const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
    const plan = filters.search ? await this.searchIndex.plan(nameKey(filters.search)) : undefined;
    if (plan?.kind === 'none') {
      return [];
    }
    if (!plan || plan.kind === 'grams') {
      const qb = this.filtered(this.withLock(), filters, plan);
      applyKeyset(qb, column, 'u.id', direction, position);
      return this.toRows(await qb.limit(limit + 1).getRawAndEntities());
    }
    // Substring search in two steps: the page's ids first, from the (username_key, id, gram_bloom, search_text)
    // index alone when sorting by username (the bloom turns most users away before the LIKE, and no row is read for
    // those that do not match), then those rows by primary key.
    const ids = this.filtered(this.users.createQueryBuilder('u').select('u.id', 'id'), filters, plan);
    applyKeyset(ids, column, 'u.id', direction, position);
    const found = (await ids.limit(limit + 1).getRawMany<{ id: string }>()).map((row) => row.id);
    if (!found.length) {
      return [];
    }
    const qb = this.withLock().where('u.id IN (:...found)', { found });
    applyKeyset(qb, column, 'u.id', direction, undefined);
    return this.toRows(await qb.getRawAndEntities());
  }

  async count(filters: UserFilters): Promise<number> {
    const plan = filters.search ? await this.searchIndex.plan(nameKey(filters.search)) : undefined;
    if (plan?.kind === 'none') {
      return 0;
    }
    return this.filtered(this.users.createQueryBuilder('u'), filters, plan).getCount();
  }

  async countByType(): Promise<Record<UserType, number>> {
    const rows = await this.users
      .createQueryBuilder('u')
      .select('u.type', 'type')
      .addSelect('COUNT(*)', 'count')
      .groupBy('u.type')
      .getRawMany<{ type: UserType; count: string | number }>();
    return countsByType(rows);
  }

  /** Inserts a user and indexes its search text. */
  async insert(manager: EntityManager, user: UserEntity): Promise<void> {
    await manager.insert(UserEntity, { ...user, gramBloom: gramBloom(gramsOf(user.searchText)) });
    await this.searchIndex.update(manager, user.id, null, user.searchText);
  }

  /**
   * Applies changes and bumps the version, only if the row still has `expectedVersion` (when given):
   * optimistic concurrency in one statement. Returns whether a row changed.
   */
  async update(manager: EntityManager, id: string, changes: UserChanges, expectedVersion?: number): Promise<boolean> {
    const before = changes.searchText === undefined ? undefined : await this.lockSearchText(manager, id);
    const qb = manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        ...changes,
        ...(changes.searchText === undefined ? {} : { gramBloom: gramBloom(gramsOf(changes.searchText)) }),
        updatedAt: new Date(),
        version: () => 'version + 1',
      })
      .where('id = :id', { id });
    if (expectedVersion !== undefined) {
      qb.andWhere('version = :expectedVersion', { expectedVersion });
    }
    const result = await qb.execute();
    const changed = (result.affected ?? 0) > 0;
    if (changed && before !== undefined && before !== null) {
      await this.searchIndex.update(manager, id, before, changes.searchText!);
    }
    if (changes.enabled !== undefined) {
      authzChanged(manager);
    }
    return changed;
  }

  /** The user's search text as it is now, locked until commit (MySQL; SQLite transactions run one at a time). */
  private async lockSearchText(manager: EntityManager, id: string): Promise<string | null> {
    const [row] = await this.statements.select<{ searchText: string }>(
      `SELECT search_text AS searchText FROM users WHERE id = ?${manager.connection.options.type === 'mysql' ? ' FOR UPDATE' : ''}`,
      [id],
      manager,
    );
    return row?.searchText ?? null;
  }

  async updatePasswordHash(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.update(UserEntity, { id }, { passwordHash });
  }

  /**
   * The statement that stamps a login (and activity) on the user, for the login's transaction. Not a change an
   * administrator made, so the version (ETag) stays; the login transaction runs it first, so its exclusive lock on
   * the user row comes before the shared one that inserting the session takes (the other order deadlocks two logins
   * of one user).
   */
  recordLoginStatement(id: string): SqlStatement {
    const now = sqlTimestamp();
    return { sql: 'UPDATE users SET last_login_at = ?, last_activity_at = ? WHERE id = ?', values: [now, now, id] };
  }

  /** Deletes the user; memberships, sessions and lockout rows go with it (foreign keys cascade). */
  async delete(manager: EntityManager, id: string): Promise<boolean> {
    const result = await manager.delete(UserEntity, { id });
    authzChanged(manager);
    return (result.affected ?? 0) > 0;
  }

  private candidate(columns: EntityColumns<UserEntity>, row: Record<string, unknown>): LoginCandidate {
    return {
      user: columns.hydrate(row),
      lockedUntil: parseSqlTimestamp(row.lockedUntil as Date | string | null),
      hasFailures: row.failuresOf !== null,
    };
  }

  private withLock(manager?: EntityManager): SelectQueryBuilder<UserEntity> {
    const qb = manager ? manager.createQueryBuilder(UserEntity, 'u') : this.users.createQueryBuilder('u');
    return qb.leftJoin('login_failures', 'lf', 'lf.user_id = u.id').addSelect('lf.locked_until', 'lockedUntil');
  }

  private filtered<T extends SelectQueryBuilder<UserEntity>>(qb: T, filters: UserFilters, plan?: SearchPlan): T {
    if (plan?.kind === 'scan' && plan.bloom) {
      // Before the LIKE: the cheap test turns most users away.
      qb.andWhere('(u.gramBloom & :bloom) = :bloom', { bloom: plan.bloom });
    }
    if (filters.search) {
      qb.andWhere(`u.searchText LIKE :pattern ESCAPE '!'`, { pattern: containsPattern(nameKey(filters.search)) });
    }
    if (plan?.kind === 'grams') {
      plan.grams.forEach((gram, i) =>
        qb.innerJoin('user_search_grams', `g${i}`, `g${i}.user_id = u.id AND g${i}.gram = :gram${i}`, {
          [`gram${i}`]: gram,
        }),
      );
    }
    if (filters.usernamePrefix) {
      qb.andWhere(`u.usernameKey LIKE :prefix ESCAPE '!'`, { prefix: prefixPattern(nameKey(filters.usernamePrefix)) });
    }
    if (filters.type) {
      qb.andWhere('u.type = :type', { type: filters.type });
    }
    if (filters.enabled !== undefined) {
      qb.andWhere(filters.enabled ? 'u.enabled = 1' : 'u.enabled = 0');
    }
    if (filters.groupId) {
      qb.andWhere('EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = u.id AND gm.group_id = :groupId)', {
        groupId: filters.groupId,
      });
    }
    return qb;
  }

  private toRows({
    entities,
    raw,
  }: {
    entities: UserEntity[];
    raw: { lockedUntil: Date | string | null }[];
  }): UserRow[] {
    return entities.map((user, i) => ({ user, lockedUntil: parseSqlTimestamp(raw[i]?.lockedUntil ?? null) }));
  }
}
