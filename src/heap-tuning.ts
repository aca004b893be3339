import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring before the application loads. In about one start in five, V8 saw a few
 * hot allocation sites' objects all survive a scavenge, decided to allocate them in the old generation from then on,
 * and kept that decision for as long as the process was watched: every scavenge then kept their young children alive
 * (2.7 ms instead of 0.3), a mark-compact ran every 160 ms, and every route's p99 at 16 connections was 10–13 ms
 * instead of 1–4 (docs/performance.md). The flag is not accepted in NODE_OPTIONS; set here, it holds however the service starts.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
