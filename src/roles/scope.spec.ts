import { GLOBAL_SCOPE } from './permissions';
import { canonicalResources, isGlobalOnlyRole, scopeKeyOf } from './scope';

describe('assignment scope', () => {
  it('keys a global assignment with *', () => {
    expect(scopeKeyOf(null)).toBe(GLOBAL_SCOPE);
  });

  it('gives the same key to the same resources in any order or repetition', () => {
    expect(scopeKeyOf(['project:2', 'project:1'])).toBe(scopeKeyOf(['project:1', 'project:2', 'project:1']));
    expect(scopeKeyOf(['project:1'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tells different resource sets apart', () => {
    expect(scopeKeyOf(['project:1'])).not.toBe(scopeKeyOf(['project:1', 'project:2']));
    expect(scopeKeyOf(['a,b'])).not.toBe(scopeKeyOf(['a', 'b']));
  });

  it('canonicalises resources and keeps null for global', () => {
    expect(canonicalResources(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(canonicalResources(undefined)).toBeNull();
  });

  it('calls a role global-only when none of its permissions takes a resource', () => {
    expect(isGlobalOnlyRole(['users.list', 'roles.manage'])).toBe(true);
    expect(isGlobalOnlyRole(['users.list', 'resources.read'])).toBe(false);
  });
});
