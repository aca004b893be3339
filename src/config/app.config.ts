import { registerAs } from '@nestjs/config';

/**
 * Which proxies may tell Roster the client address through `X-Forwarded-For` (Fastify's `trustProxy`):
 * `false` (default: nobody, the socket address counts), `true` (any), or addresses/CIDRs. Not a hop count: it cannot
 * tell the proxy from a client that sends the header itself (Fastify 5.12 trusts nobody for one). It matters for
 * the per-address login limit and the audit trail: trusting everyone lets a client pick its address.
 */
export function parseTrustProxy(value: string | undefined): boolean | string[] {
  const raw = (value ?? 'false').trim();
  if (raw === 'false' || raw === '') {
    return false;
  }
  if (raw === 'true') {
    return true;
  }
  return raw.split(',').map((entry) => entry.trim());
}

export const appConfig = registerAs('app', () => ({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '0.0.0.0',
  logLevel: process.env.LOG_LEVEL ?? 'info',
  trustProxy: parseTrustProxy(process.env.TRUST_PROXY),
}));

export type AppConfig = ReturnType<typeof appConfig>;
