import { accessSize, allows, userAccess } from './user-access';

describe('userAccess and allows', () => {
  const access = userAccess(
    true,
    ['resources.read'],
    [
      { permission: 'resources.edit', resource: 'project:1' },
      { permission: 'users.list', resource: 'project:1' },
      { permission: 'resources.remove', resource: 'project:2' },
    ],
  );

  it('grants global permissions everywhere, with or without a resource', () => {
    expect(allows(access, 'resources.read')).toBe(true);
    expect(allows(access, 'resources.read', 'project:9')).toBe(true);
  });

  it('grants scoped permissions only on their resources, never without one', () => {
    expect(allows(access, 'resources.edit', 'project:1')).toBe(true);
    expect(allows(access, 'resources.edit', 'project:2')).toBe(false);
    expect(allows(access, 'resources.edit')).toBe(false);
    expect(allows(access, 'resources.edit', null)).toBe(false);
  });

  it('never grants a global-only permission through a scoped assignment', () => {
    expect(allows(access, 'users.list', 'project:1')).toBe(false);
    expect(accessSize(access)).toBe(1 + 1 + 2);
  });

  it('never allows a disabled user', () => {
    const disabled = userAccess(false, ['resources.read'], []);
    expect(allows(disabled, 'resources.read')).toBe(false);
  });

  it('leaves resource checks to the database when the scoped grants are not held', () => {
    const large = userAccess(true, ['resources.read'], null);
    expect(allows(large, 'resources.read', 'project:1')).toBe(true);
    expect(allows(large, 'resources.edit')).toBe(false);
    expect(allows(large, 'resources.edit', 'project:1')).toBeUndefined();
  });
});
