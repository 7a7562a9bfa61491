/**
 * One Discord account, one owner: a Discord token (by its keyed fingerprint, never the token)
 * belongs to one tenant, and within it to one configuration per bot (useapi's own rule). Two
 * tenants sharing an account would share its channels, and the one-command-per-channel rule (per
 * tenant) could then hand one tenant's result to the other. One Discord user driving both bots for
 * its tenant stays allowed: useapi's own examples configure one token for InsightFaceSwap and Pika.
 * Also the per-tenant cap on accounts.
 */
import { ApiError } from '../errors/index.ts';
import type { Store } from '../store/index.ts';

export interface OwnershipClaim {
  tenantId: string;
  bot: string;
  channel: string;
  fingerprint: string;
}

/** The answer when the token is held elsewhere; another tenant is never named. */
export function ownerConflict(): ApiError {
  return new ApiError(409, 'This Discord account is already used by another API token', 'a Discord account belongs to one API token at a time; it must be deleted there first');
}

/**
 * Refuses a claim on a token another tenant holds (409, never naming it), and a new account beyond
 * the tenant's cap (403). Rows of the same tenant and bot are left to useapi's own duplicate rules
 * (400 "Channel … configuration has same discord value").
 */
export async function checkOwnership(store: Pick<Store, 'accounts'>, claim: OwnershipClaim, maxAccounts: number | undefined): Promise<void> {
  const holders = await store.accounts.withFingerprint(claim.fingerprint);
  const elsewhere = holders.find((h) => h.tenantId !== claim.tenantId);
  if (elsewhere) throw ownerConflict();
  if (maxAccounts === undefined) return;
  const existing = await store.accounts.get(claim.tenantId, claim.bot, claim.channel);
  if (!existing && (await store.accounts.countForTenant(claim.tenantId)) >= maxAccounts) {
    throw new ApiError(403, `Account limit reached: an API token may hold at most ${maxAccounts} accounts`, 'delete unused accounts (including bring-your-own ones: GET /v1/<bot>/account?hidden=1) or ask the operator to raise SWITCHBOARD_MAX_ACCOUNTS_PER_TENANT');
  }
}

/** After a unique-index violation on the token: the conflict, if another tenant holds it. */
export async function conflictAfterViolation(store: Pick<Store, 'accounts'>, claim: OwnershipClaim): Promise<ApiError | undefined> {
  const holders = await store.accounts.withFingerprint(claim.fingerprint);
  const elsewhere = holders.find((h) => h.tenantId !== claim.tenantId);
  return elsewhere ? ownerConflict() : undefined;
}
