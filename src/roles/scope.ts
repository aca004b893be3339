import { createHash } from 'node:crypto';
import { GLOBAL_SCOPE, PERMISSIONS, PermissionScope } from './permissions';

const SCOPE_BY_KEY = new Map<string, PermissionScope>(PERMISSIONS.map((p) => [p.key, p.scope]));

export const PERMISSION_KEYS: readonly string[] = PERMISSIONS.map((p) => p.key);

export function isKnownPermission(key: string): boolean {
  return SCOPE_BY_KEY.has(key);
}

/** Whether a permission can only be granted globally (see the `global` scope of the catalogue). */
export function isGlobalOnlyPermission(key: string): boolean {
  return SCOPE_BY_KEY.get(key) !== 'global_or_resource';
}

/** A role is global-only when none of its permissions can be scoped to resources: it cannot take resources. */
export function isGlobalOnlyRole(permissions: readonly string[]): boolean {
  return permissions.every(isGlobalOnlyPermission);
}

/** The resources of an assignment in canonical form (distinct, sorted), or null for a global assignment. */
export function canonicalResources(resources: readonly string[] | null | undefined): string[] | null {
  if (resources === null || resources === undefined) {
    return null;
  }
  return [...new Set(resources)].sort();
}

/**
 * The scope key stored on an assignment: `*` when global, else the SHA-256 of the canonical resources joined by a
 * newline (resources cannot contain control characters), so the same role on the same set is one unique key.
 */
export function scopeKeyOf(resources: readonly string[] | null): string {
  if (resources === null) {
    return GLOBAL_SCOPE;
  }
  return createHash('sha256').update(canonicalResources(resources)!.join('\n'), 'utf8').digest('hex');
}
