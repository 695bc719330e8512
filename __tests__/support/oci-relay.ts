import { HttpFaultRelay, TcpFaultRelay, type Upstream } from './faults.ts';

/**
 * The relays the OCI client's e2e tests were written against, now thin names for the fault relays in faults.ts:
 * the first `cuts` connections that carry more than `cutAfterBytes` client to server are cut there (or, with
 * `stall`, held silent for good).
 */
export class CuttingRelay extends TcpFaultRelay {
  constructor(upstream: Upstream, cutAfterBytes: number, cuts = 1, mode: 'cut' | 'stall' = 'cut') {
    super(upstream, mode === 'cut' ? { kind: 'cut', direction: 'up', afterBytes: cutAfterBytes, count: cuts } : { kind: 'stall', direction: 'up', afterBytes: cutAfterBytes, count: cuts, stallMs: Infinity });
  }

  /** Connections it cut (or stalled). */
  get cut(): number {
    return this.injected;
  }
}

/** Every request answered 503 (or 429), with `Retry-After: 1`, for `outageMs` after the first one; then relays. */
export class OutageProxy extends HttpFaultRelay {
  constructor(upstream: Upstream, outageMs: number) {
    super(upstream, { status: 503, forMs: outageMs, retryAfterS: 1 });
  }

  get status(): number {
    return this.fault.status;
  }

  set status(status: number) {
    this.fault.status = status;
  }

  get refused(): number {
    return this.injected;
  }
}
