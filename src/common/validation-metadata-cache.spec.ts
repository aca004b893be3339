import { getMetadataStorage, IsInt, IsOptional, IsString, MinLength, validate } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata-cache';

class Base {
  @IsString()
  name!: unknown;
}

class Derived extends Base {
  @IsInt()
  count!: unknown;

  @IsOptional()
  @MinLength(3, { groups: ['strict'] })
  note?: unknown;
}

const failed = async (object: object, groups?: string[]): Promise<string[]> =>
  (await validate(object, { groups, forbidUnknownValues: true })).map((e) => e.property).sort();

const derived = (values: Record<string, unknown>): Derived => Object.assign(new Derived(), values);

describe('rememberValidationMetadata', () => {
  const cases: [Derived, string[] | undefined][] = [
    [derived({ name: 'a', count: 1 }), undefined],
    [derived({ name: 1, count: 'x' }), undefined],
    [derived({ name: 1, count: 'x', note: 'ab' }), ['strict']],
    [derived({ name: 1, count: 'x', note: 'ab' }), ['other']],
    [derived({ name: 'a', count: 1, note: 'ab' }), undefined],
  ];

  it('validates exactly as before, own and inherited rules, with and without groups', async () => {
    const before = await Promise.all(cases.map(([object, groups]) => failed(object, groups)));
    rememberValidationMetadata();
    const after = await Promise.all(cases.map(([object, groups]) => failed(object, groups)));
    expect(after).toEqual(before);
    // Without groups every rule applies; with groups only theirs.
    expect(before).toEqual([[], ['count', 'name'], ['note'], [], ['note']]);
  });

  it('answers a repeated lookup from memory', () => {
    rememberValidationMetadata();
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Derived, '', false, false);
    expect(storage.getTargetValidationMetadatas(Derived, '', false, false)).toBe(first);
    expect(storage.getTargetValidationMetadatas(Derived, '', false, false, ['strict'])).not.toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });
});
