export { LeaseManager, type LeaseManagerOptions } from './lease-manager.ts';
export { instanceIdFor } from './instance-id.ts';
