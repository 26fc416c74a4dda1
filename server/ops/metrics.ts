import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  webhookSeconds: Histogram<'route' | 'status'>;
  callsTotal: Counter<'channel' | 'outcome'>;
  webhookErrors: Counter<'route'>;
  activeCalls: Gauge<'channel'>;
}

/** Prometheus metrics; `activeCount` is read from the store at scrape time, so it survives restarts. */
export function createMetrics(activeCount: (channel: 'voice' | 'sms') => Promise<number>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hotline_process_' });
  const webhookSeconds = new Histogram({
    name: 'hotline_webhook_duration_seconds',
    help: 'Time to answer a Twilio webhook, by route and HTTP status',
    labelNames: ['route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const callsTotal = new Counter({
    name: 'hotline_calls_total',
    help: 'Finished calls and SMS sessions by how they ended',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const webhookErrors = new Counter({
    name: 'hotline_webhook_errors_total',
    help: 'Webhooks that failed inside and were answered with the apology and a human',
    labelNames: ['route'],
    registers: [registry],
  });
  const activeCalls = new Gauge({
    name: 'hotline_active_calls',
    help: 'Calls and SMS sessions in progress',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      for (const ch of ['voice', 'sms'] as const) {
        try {
          this.set({ channel: ch }, await activeCount(ch));
        } catch {
          /* store unavailable: keep the last value; /readyz reports the store */
        }
      }
    },
  });
  return { registry, webhookSeconds, callsTotal, webhookErrors, activeCalls };
}
