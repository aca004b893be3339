import { principalNameProblem } from '../common/validators/is-principal-name.validator';
import { searchText } from '../users/username';
import type { DirectoryEntity } from './entities/directory.entity';
import { attributeValue, LdapEntry } from './ldap-client';

export interface ExternalProfile {
  username: string;
  fullName: string | null;
  email: string | null;
  phone: string | null;
  department: string | null;
  searchText: string;
}

/** Clips a value to its column's length: a directory may hold longer values than Roster keeps. */
function clip(value: string | null, length: number): string | null {
  return value === null ? null : [...value].slice(0, length).join('');
}

/**
 * The Roster profile of a user entry; missing attributes become null. Throws a message (the entry fails alone)
 * when the username attribute is missing or not an acceptable username.
 */
export function profileOf(directory: DirectoryEntity, entry: LdapEntry): ExternalProfile {
  const a = directory.attributes;
  const username = attributeValue(entry, a.username);
  if (username === null) {
    throw new EntryError(`the entry has no '${a.username}' attribute`);
  }
  const problem = principalNameProblem(username);
  if (problem) {
    throw new EntryError(`the username '${username}' ${problem}`);
  }
  const profile = {
    username,
    fullName: clip(attributeValue(entry, a.fullName), 200),
    email: clip(attributeValue(entry, a.email), 254),
    phone: clip(attributeValue(entry, a.phone), 50),
    department: clip(attributeValue(entry, a.department), 100),
  };
  return { ...profile, searchText: searchText(profile) };
}

/** A group entry's name and description. */
export function groupOf(directory: DirectoryEntity, entry: LdapEntry): { name: string; description: string | null } {
  const name = attributeValue(entry, directory.attributes.groupName);
  if (name === null) {
    throw new EntryError(`the entry has no '${directory.attributes.groupName}' attribute`);
  }
  const problem = principalNameProblem(name);
  if (problem) {
    throw new EntryError(`the group name '${name}' ${problem}`);
  }
  return { name, description: clip(attributeValue(entry, 'description'), 1000) };
}

/** Why one entry of an import or sync failed; the others go on. */
export class EntryError extends Error {}
