import { AddressAttempts } from './address-attempts';

describe('AddressAttempts', () => {
  it('counts attempts in flight against the others', () => {
    const attempts = new AddressAttempts();
    const a = attempts.start('ip');
    const b = attempts.start('ip');
    expect(attempts.unseen(a)).toBe(0);
    attempts.admit(a);
    expect(attempts.unseen(b)).toBe(1);
    attempts.admit(b);
    attempts.end(a, false);
    attempts.end(b, false);
    expect(attempts.size).toBe(0);
  });

  it('keeps counting a failure for the attempts whose read may have missed it, not for later ones', () => {
    const attempts = new AddressAttempts();
    const first = attempts.start('ip');
    attempts.admit(first);
    const early = attempts.start('ip'); // reading while `first` fails
    attempts.end(first, true);
    const late = attempts.start('ip'); // reads after the failure was committed: it sees it recorded
    expect(attempts.unseen(early)).toBe(1);
    expect(attempts.unseen(late)).toBe(0);
    attempts.end(early, false);
    expect(attempts.unseen(late)).toBe(0);
    attempts.end(late, false);
    expect(attempts.size).toBe(0);
  });

  it('holds nothing for a success, and ends once', () => {
    const attempts = new AddressAttempts();
    const ok = attempts.start('ip');
    attempts.admit(ok);
    const other = attempts.start('ip');
    attempts.end(ok, false);
    attempts.end(ok, true);
    expect(attempts.unseen(other)).toBe(0);
  });

  it('keeps addresses apart', () => {
    const attempts = new AddressAttempts();
    attempts.admit(attempts.start('a'));
    expect(attempts.unseen(attempts.start('b'))).toBe(0);
  });
});
