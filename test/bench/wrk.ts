import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The load generator: wrk (C, epoll), one thread, driven by a Lua script written per load. It costs a small fraction
 * of the CPU a Node.js client spends per request, which on this 2-core machine would be taken from the service, and
 * it measures every request's latency in microseconds. Installed from Debian's packages when missing.
 */
export interface Load {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** JSON bodies, sent in turn. */
  bodies?: string[];
  /** Refresh tokens: each request spends one and its answer puts the next one back (a pool shared by connections). */
  refreshTokens?: string[];
}

export interface WrkResult {
  requests: number;
  /** Requests per second. */
  rate: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  /** Responses with a status of 400 or more, and socket errors and timeouts. */
  failures: number;
}

export function ensureWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return;
  } catch (error) {
    // wrk --version prints its version and exits 1; only a missing binary throws ENOENT.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return;
    }
    if (process.getuid?.() !== 0) {
      throw new Error('wrk is missing: apt-get install -y wrk', { cause: error });
    }
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env });
}

/** A Lua long string that no JSON body can close early. */
const luaString = (text: string): string => `[==[${text}]==]`;

function script(load: Load): string {
  const lines = [`wrk.method = "${load.method ?? 'GET'}"`];
  for (const [name, value] of Object.entries({
    ...(load.bodies || load.refreshTokens ? { 'content-type': 'application/json' } : {}),
    ...load.headers,
  })) {
    lines.push(`wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`);
  }
  if (load.bodies) {
    lines.push(
      `local bodies = { ${load.bodies.map(luaString).join(',\n')} }`,
      'local sent = 0',
      'request = function() sent = sent + 1; return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1]) end',
    );
  }
  if (load.refreshTokens) {
    lines.push(
      `local pool = { ${load.refreshTokens.map(luaString).join(', ')} }`,
      `request = function()
        return wrk.format(nil, nil, nil, '{"refreshToken":"' .. (table.remove(pool) or 'none') .. '"}')
      end`,
      `response = function(status, headers, body)
        local token = status == 200 and body:match('"refreshToken":"([^"]+)"')
        if token then table.insert(pool, token) end
      end`,
    );
  }
  lines.push(`done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format('WRK %d %d %d %f %f %f\\n', summary.requests, summary.duration,
      e.status + e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  end`);
  return lines.join('\n');
}

export async function wrk(load: Load): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-wrk-'));
  try {
    const file = join(dir, 'load.lua');
    writeFileSync(file, script(load));
    const args = ['-t1', `-c${load.connections}`, `-d${load.seconds}s`, '--timeout', '30s', '-s', file, load.url];
    const output = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`wrk failed: ${stderr || error.message}`)) : resolve(stdout),
      ),
    );
    const line = output.split('\n').find((l) => l.startsWith('WRK '));
    if (!line) {
      throw new Error(`wrk printed no summary:\n${output}`);
    }
    const [requests, durationUs, failures, p50, p95, p99] = line.slice(4).split(' ').map(Number);
    return {
      requests,
      rate: requests / (durationUs / 1e6),
      p50: p50 / 1000,
      p95: p95 / 1000,
      p99: p99 / 1000,
      failures,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
