import { HttpFaultRelay, type Upstream } from './faults.ts';

/**
 * A relay on 127.0.0.1 in front of a registry that answers every request with `503 Service Unavailable` for
 * `outageMs` after the first one, then relays (HttpFaultRelay in faults.ts, under the name registries.test.ts uses).
 */
export class FlakyRelay extends HttpFaultRelay {
  constructor(upstream: Upstream, outageMs: number) {
    super(upstream, { status: 503, forMs: outageMs });
  }

  /** Requests answered 503. */
  get refused(): number {
    return this.injected;
  }
}
