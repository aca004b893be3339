import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginOver, rssKiB, ServiceProcess, sleep, startService } from '../helpers/service-process';

/**
 * Steady load for SOAK_SECONDS (60 by default) after a warm-up: no errors, no non-2xx, RSS grows < 10%. RSS is
 * sampled every second and saws between the young generation's collections (+50 MiB within seconds), so single
 * samples swung by ±25%; growth compares the floor (lowest sample) of the soak's first WINDOW seconds with that of
 * its last: what the process keeps after collecting, which a leak raises.
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WARMUP_SECONDS = 10;
const WINDOW = 10;

function load(url: string, token: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: 4,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      { method: 'GET', path: '/api/v1/users?limit=20' },
      { method: 'GET', path: '/api/v1/users/count' },
      { method: 'GET', path: '/api/v1/me' },
      { method: 'GET', path: '/health/ready' },
    ],
  });
}

describe('soak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-soak-'));
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `serves ${SOAK_SECONDS} s of steady load without errors or memory growth`,
    async () => {
      service = await startService({ DATABASE_URL: `sqlite:${join(dir, 'roster.sqlite')}` });
      const { accessToken } = await loginOver(service.url);
      const warmup = await load(service.url, accessToken, WARMUP_SECONDS);
      const pid = service.pid;
      const samples: number[] = [];
      const sampler = setInterval(() => void rssKiB(pid).then((kib) => samples.push(kib)), 1000);
      let soak: autocannon.Result;
      try {
        soak = await load(service.url, accessToken, SOAK_SECONDS);
      } finally {
        clearInterval(sampler);
      }
      await sleep(100);
      const rssAfterWarmup = Math.min(...samples.slice(0, WINDOW));
      const rssAtEnd = Math.min(...samples.slice(-WINDOW));
      const growth = (rssAtEnd - rssAfterWarmup) / rssAfterWarmup;
      console.log(
        `soak: ${JSON.stringify({
          seconds: SOAK_SECONDS,
          requests: soak.requests.total,
          rps: soak.requests.average,
          p99ms: soak.latency.p99,
          errors: soak.errors,
          timeouts: soak.timeouts,
          non2xx: soak.non2xx,
          warmupRequests: warmup.requests.total,
          rssSamples: samples.length,
          rssFirstWindowFloorKiB: rssAfterWarmup,
          rssLastWindowFloorKiB: rssAtEnd,
          growthPercent: Math.round(growth * 1000) / 10,
        })}`,
      );
      expect(soak.errors).toBe(0);
      expect(soak.timeouts).toBe(0);
      expect(soak.non2xx).toBe(0);
      expect(soak.requests.total).toBeGreaterThan(0);
      expect(samples.length).toBeGreaterThanOrEqual(2 * WINDOW);
      expect(growth).toBeLessThan(0.1);
    },
    (SOAK_SECONDS + WARMUP_SECONDS + 60) * 1000,
  );
});
