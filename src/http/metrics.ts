import client from 'prom-client';

/** One registry per app instance, so tests can build several apps in one process. */
export interface Metrics {
  readonly registry: client.Registry;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  readonly logins: client.Counter<'outcome'>;
  readonly samlRefusals: client.Counter<'reason'>;
  readonly allocations: client.Counter<'license' | 'change'>;
  readonly decisions: client.Counter<'reason' | 'trigger'>;
  readonly txRetries: client.Counter<'operation' | 'reason'>;
  readonly seatsUsed: client.Gauge<'license'>;
  readonly seatsCapacity: client.Gauge<'license'>;
  readonly jobProgress: client.Gauge<'job' | 'kind'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new client.Registry();
  if (opts.defaultMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'allot_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    logins: new client.Counter({ name: 'allot_logins_total', help: 'SAML logins by outcome', labelNames: ['outcome'], registers }),
    samlRefusals: new client.Counter({ name: 'allot_saml_refusals_total', help: 'Refused SAML responses by reason', labelNames: ['reason'], registers }),
    allocations: new client.Counter({
      name: 'allot_allocation_changes_total',
      help: 'Seats acquired or released, by license',
      labelNames: ['license', 'change'],
      registers,
    }),
    decisions: new client.Counter({ name: 'allot_decisions_total', help: 'Allocation decisions by reason and trigger', labelNames: ['reason', 'trigger'], registers }),
    txRetries: new client.Counter({
      name: 'allot_transaction_retries_total',
      help: 'Transactions retried after a serialization failure, a deadlock or a lost seat race (bounded per operation)',
      labelNames: ['operation', 'reason'],
      registers,
    }),
    seatsUsed: new client.Gauge({ name: 'allot_seats_used', help: 'Seats in use by license', labelNames: ['license'], registers }),
    seatsCapacity: new client.Gauge({ name: 'allot_seats_capacity', help: 'Seats bought by license', labelNames: ['license'], registers }),
    jobProgress: new client.Gauge({ name: 'allot_job_progress_ratio', help: 'Processed/total of running jobs', labelNames: ['job', 'kind'], registers }),
  };
}
