export { AccountService } from './account-service.ts';
export { AccountPool, type AccountPoolOptions } from './account-pool.ts';
export * from './health.ts';
export { checkProviderCommands, botMissing, toCommandCheck, type CommandCheckOutcome } from './command-check.ts';
