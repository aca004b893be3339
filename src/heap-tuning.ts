import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring before the application loads: in about one start in five V8 pretenured
 * a few hot allocation sites for good, and every route's p99 at 16 connections went from 1–4 ms to 10–13 ms
 * (docs/performance.md). Node refuses the flag in NODE_OPTIONS; set here, it holds however the service starts.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
