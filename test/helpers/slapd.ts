import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const LDAPMODIFY = '/usr/bin/ldapmodify';

export const BASE_DN = 'dc=example,dc=com';
export const ROOT_DN = `cn=admin,${BASE_DN}`;
export const ROOT_PASSWORD = 'slapd root password';

/** One LDIF record: a DN and its attributes (values with non-ASCII characters are base64-encoded, RFC 2849). */
export type LdifEntry = { dn: string } & Record<string, string | string[]>;

function line(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value)
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function toLdif(entries: LdifEntry[]): string {
  return entries
    .map(({ dn, ...attributes }) =>
      [
        line('dn', dn),
        ...Object.entries(attributes).flatMap(([name, values]) =>
          (Array.isArray(values) ? values : [values]).map((v) => line(name, v)),
        ),
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}

/** A port nobody listens on right now (for the server, or for a directory that is down). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Slapd {
  url: string;
  /** Applies an LDIF change (changetype: modify/add/delete) with ldapmodify as the root DN. */
  modify(ldif: string): void;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway OpenLDAP server on a free loopback port: slapd.conf-style config, an mdb database in a temp
 * directory, loaded with `seed` by slapadd before start. Fails loudly when OpenLDAP is not installed.
 */
export async function startSlapd(seed: LdifEntry[]): Promise<Slapd> {
  for (const tool of [SLAPD, SLAPADD, LDAPMODIFY]) {
    if (!existsSync(tool)) {
      throw new Error(
        `${tool} is missing: the directory tests need OpenLDAP (apt-get install -y slapd ldap-utils; .ci/run does it)`,
      );
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'roster-slapd-'));
  mkdirSync(join(dir, 'db'));
  const config = join(dir, 'slapd.conf');
  writeFileSync(
    config,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'sizelimit unlimited',
      'database mdb',
      'maxsize 10485760',
      `suffix "${BASE_DN}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw "${ROOT_PASSWORD}"`,
      `directory ${join(dir, 'db')}`,
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const seedFile = join(dir, 'seed.ldif');
  writeFileSync(seedFile, toLdif(seed));
  execFileSync(SLAPADD, ['-f', config, '-l', seedFile], { stdio: 'pipe' });

  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0: stay in the foreground, so the child is slapd itself and killing it stops the server.
  const child: ChildProcess = spawn(SLAPD, ['-f', config, '-h', `${url}/`, '-d', '0'], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));

  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Client({ url, connectTimeout: 500, timeout: 1000 });
    try {
      await client.bind(ROOT_DN, ROOT_PASSWORD);
      await client.unbind();
      break;
    } catch (error) {
      if (exited || Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`slapd did not start on ${url}: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    url,
    modify(ldif: string) {
      execFileSync(LDAPMODIFY, ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD], { input: ldif, stdio: 'pipe' });
    },
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (!exited) {
          child.kill('SIGKILL');
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
