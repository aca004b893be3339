import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Client, Entry, Filter, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import { ProblemException } from '../common/errors/problem.exception';
import { directoriesConfig } from '../config/directories.config';

/** The most entries one search or import handles. */
export const MAX_ENTRIES = 1000;
const PAGE_SIZE = 200;

export type LdapEntry = Entry;

function unavailable(url: string): ProblemException {
  return new ProblemException(502, 'directory_unavailable', `The directory at ${url} cannot be reached.`);
}

/** A connection to one LDAP server. Every operation is bounded by the configured timeouts: none can hang. */
export class LdapConnection {
  constructor(
    private readonly client: Client,
    private readonly url: string,
  ) {}

  /** Binds with the directory's own credentials; any refusal is 502 `directory_bind_failed`. */
  async bindService(dn: string, password: string): Promise<void> {
    try {
      await this.client.bind(dn, password);
    } catch (error) {
      if (error instanceof ResultCodeError) {
        throw new ProblemException(
          502,
          'directory_bind_failed',
          `The directory at ${this.url} refused its configured bind DN and password.`,
        );
      }
      throw unavailable(this.url);
    }
  }

  /** Binds as a user: true when the directory accepts the password. An empty password is never sent (it would be an unauthenticated bind). */
  async bindUser(dn: string, password: string): Promise<boolean> {
    if (!password || !dn) {
      return false;
    }
    try {
      await this.client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError || error instanceof ResultCodeError) {
        return false;
      }
      throw unavailable(this.url);
    }
  }

  /**
   * Searches with the paged-results control (servers without it answer in one page), stopping after `limit`
   * entries. Returns the entries and whether there were more.
   */
  async search(
    baseDn: string,
    filter: Filter,
    attributes: string[],
    options: { scope?: 'base' | 'sub'; limit?: number } = {},
  ): Promise<{ entries: LdapEntry[]; truncated: boolean }> {
    const limit = options.limit ?? MAX_ENTRIES;
    const entries: LdapEntry[] = [];
    try {
      const pages = this.client.searchPaginated(baseDn, {
        scope: options.scope ?? 'sub',
        filter,
        attributes,
        paged: { pageSize: Math.min(PAGE_SIZE, limit + 1) },
        timeLimit: 10,
      });
      for await (const page of pages) {
        entries.push(...page.searchEntries);
        if (entries.length > limit) {
          break;
        }
      }
    } catch (error) {
      if (error instanceof ResultCodeError) {
        if (error.code === 32 || error.code === 34) {
          // noSuchObject / invalidDNSyntax: the base (or the entry asked for) does not exist.
          return { entries: [], truncated: false };
        }
        if (error.code === 4 || error.code === 11) {
          return { entries: entries.slice(0, limit), truncated: true };
        }
        throw new ProblemException(502, 'directory_error', `The directory at ${this.url} refused the search.`);
      }
      throw unavailable(this.url);
    }
    return { entries: entries.slice(0, limit), truncated: entries.length > limit };
  }

  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The connection is gone already; nothing to release.
    }
  }
}

/** Opens LDAP connections with connect and operation timeouts (`DIRECTORY_TIMEOUT_MS`). */
@Injectable()
export class LdapClientFactory {
  constructor(@Inject(directoriesConfig.KEY) private readonly config: ConfigType<typeof directoriesConfig>) {}

  /** Runs `work` on a fresh connection and always closes it. */
  async with<T>(url: string, work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    const client = new Client({
      url,
      connectTimeout: this.config.timeoutMs,
      timeout: this.config.timeoutMs,
      strictDN: false,
    });
    const connection = new LdapConnection(client, url);
    try {
      return await work(connection);
    } finally {
      await connection.close();
    }
  }
}

/** The first value of an attribute as a trimmed string, or null when the entry lacks it. */
export function attributeValue(entry: LdapEntry, attribute: string): string | null {
  const raw = entryAttribute(entry, attribute);
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) {
    return null;
  }
  const value = (Buffer.isBuffer(first) ? first.toString('utf8') : first).normalize('NFC').trim();
  return value === '' ? null : value;
}

/** Every value of an attribute (e.g. a group's members). */
export function attributeValues(entry: LdapEntry, attribute: string): string[] {
  const raw = entryAttribute(entry, attribute);
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).filter((v) => v !== '');
}

/** Attribute names are case-insensitive in LDAP; the server may answer `telephonenumber` for `telephoneNumber`. */
function entryAttribute(entry: LdapEntry, attribute: string): Entry[string] | undefined {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === wanted && k !== 'dn');
  return key === undefined ? undefined : entry[key];
}
