import * as argon2 from 'argon2';
import { generateKeyPairSync, sign } from 'node:crypto';

/**
 * The raw rates the service is compared with, in a process of their own:
 *   raw.ts argon2 <phc hash> <password> <concurrency> <seconds>  → argon2.verify calls per second
 *   raw.ts sign <RS256|ES256> <seconds>                           → signatures per second on one thread
 * Prints `{ "rate": n }`.
 */
async function argon2Rate(hash: string, password: string, concurrency: number, seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      if (!(await argon2.verify(hash, password))) {
        throw new Error('raw argon2 verify failed');
      }
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((Date.now() - started) / 1000);
}

/** One thread's RS256 or ES256 signatures (node:crypto, one-shot) over the signing input of an access token. */
function signRate(algorithm: 'RS256' | 'ES256', seconds: number): number {
  const { privateKey } =
    algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = algorithm === 'RS256' ? privateKey : { key: privateKey, dsaEncoding: 'ieee-p1363' as const };
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    sid: '6f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e',
    typ: 'access',
    sub: '5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e',
    iss: 'roster',
    aud: 'roster',
    iat: 1_800_000_000,
    exp: 1_800_000_300,
  };
  const input = Buffer.from(`${part({ alg: algorithm, kid: 'k', typ: 'JWT' })}.${part(claims)}`);
  const started = Date.now();
  const end = started + seconds * 1000;
  let done = 0;
  while (Date.now() < end) {
    sign('sha256', input, key);
    done++;
  }
  return done / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const [kind, ...args] = process.argv.slice(2);
  const rate =
    kind === 'argon2'
      ? await argon2Rate(args[0], args[1], Number(args[2]), Number(args[3]))
      : signRate(args[0] as 'RS256' | 'ES256', Number(args[1]));
  process.stdout.write(JSON.stringify({ rate }) + '\n');
}

void main();
