import { principalNameProblem } from './is-principal-name.validator';

describe('principal names', () => {
  it.each([
    'alice',
    'José',
    'Łukasz Żółć',
    '山田太郎',
    'a',
    'x'.repeat(100),
    'first.last@example',
    'dash-and_underscore',
    'inner space',
  ])('accepts %s', (name) => {
    expect(principalNameProblem(name)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(101)],
    ['leading space', ' alice'],
    ['trailing tab', 'alice\t'],
    ['a control character', 'al\u0007ice'],
    ['a newline', 'al\nice'],
    ...'/\\[]:;|=+*?<>",&{}()\'%'.split('').map((c) => [`the character ${c}`, `a${c}b`]),
  ])('rejects %s', (_what, name) => {
    expect(principalNameProblem(name)).not.toBeNull();
  });

  it('counts characters, not UTF-16 units', () => {
    expect(principalNameProblem('😀'.repeat(100))).toBeNull();
  });
});
