export { SwitchboardMetrics } from './switchboard-metrics.ts';
export { Counter, Gauge, Histogram, Registry } from './registry.ts';
