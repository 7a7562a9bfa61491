export { AccountService } from './account-service.ts';
export { AccountPool, type AccountPoolOptions } from './account-pool.ts';
export { AccountSelector, ineligibility, type AccountSelectorOptions, type Refusal, type SelectionRequest } from './account-selector.ts';
export * from './health.ts';
export { checkOwnership, conflictAfterViolation, type OwnershipClaim } from './ownership.ts';
export { HiddenAccountSweeper } from './hidden-sweeper.ts';
export { checkProviderCommands, botMissing, toCommandCheck, type CommandCheckOutcome } from './command-check.ts';
