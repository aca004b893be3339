import { registerAs } from '@nestjs/config';

/** LDAP directories: the key that encrypts their bind passwords, and how long to wait for a directory. */
export const directoriesConfig = registerAs('directories', () => ({
  /** 32 bytes (AES-256-GCM), or undefined: then no bind password can be stored or read. */
  secretKey: process.env.DIRECTORY_SECRET_KEY
    ? (Buffer.from(process.env.DIRECTORY_SECRET_KEY, 'base64') as Buffer)
    : undefined,
  timeoutMs: Number(process.env.DIRECTORY_TIMEOUT_MS || 5000),
}));

export type DirectoriesConfig = ReturnType<typeof directoriesConfig>;
