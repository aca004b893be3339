import { EqualityFilter, PresenceFilter, SubstringFilter } from 'ldapts';
import { ProblemException } from '../common/errors/problem.exception';
import { and, nameFilter, parseFilter } from './ldap-filters';

describe('nameFilter', () => {
  it('is an equality match without wildcards', () => {
    expect(nameFilter('uid', 'jose')).toBeInstanceOf(EqualityFilter);
    expect(nameFilter('uid', 'jose').toString()).toBe('(uid=jose)');
  });

  it('turns * into substring wildcards', () => {
    const filter = nameFilter('uid', 'j*s*e');
    expect(filter).toBeInstanceOf(SubstringFilter);
    expect(filter.toString()).toBe('(uid=j*s*e)');
    expect(nameFilter('uid', '*').toString()).toBe('(uid=*)');
    expect(nameFilter('uid', '**')).toBeInstanceOf(PresenceFilter);
  });

  it.each([
    ['*)(uid=*', '(uid=*\\29\\28uid=*)'],
    ['admin)(|(uid=*', '(uid=admin\\29\\28|\\28uid=*)'],
    ['a\\2a', '(uid=a\\5c2a)'],
    ['x\u0000y', '(uid=x\\00y)'],
  ])('keeps filter metacharacters in %p literal (RFC 4515)', (pattern, text) => {
    expect(nameFilter('uid', pattern).toString()).toBe(text);
  });
});

describe('parseFilter', () => {
  it('parses a filter and ANDs it with another', () => {
    const filter = and(parseFilter('(objectClass=inetOrgPerson)', 'f'), parseFilter('(mail=a@b.c)', 'q'));
    expect(filter.toString()).toBe('(&(objectClass=inetOrgPerson)(mail=a@b.c))');
  });

  it.each(['(uid=', ')(', '(uid=x))(|(uid=*)', '(uid=x)(uid=y)'])('rejects %p as a 400 naming the field', (text) => {
    try {
      parseFilter(text, 'q');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      expect((error as ProblemException).errors).toEqual([{ field: 'q', message: expect.any(String) }]);
    }
  });
});
