/** The part of autocannon's API the soak test uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      headers?: Record<string, string>;
      requests?: { method?: string; path?: string; body?: string; headers?: Record<string, string> }[];
    }
    interface Result {
      requests: { total: number; average: number };
      latency: { p99: number };
      errors: number;
      timeouts: number;
      non2xx: number;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
