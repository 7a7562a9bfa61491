export { SwitchboardMetrics, type SwitchboardMetricsOptions } from './switchboard-metrics.ts';
export { AccountLabels } from './account-labels.ts';
