/** The runner's per-job state (jobs/runner-state.ts): read defensively, and what it means for callers. */
import { describe, expect, it } from 'vitest';
import { isAccepted, stepProgress } from '../../../src/jobs/index.ts';
import { plannedState, runnerStateOf } from '../../../src/jobs/runner-state.ts';
import type { CommandStep } from '../../../src/providers/index.ts';

const step: CommandStep = { kind: 'slash', command: 'create', options: {}, files: {}, expects: 'media' };

describe('runner state', () => {
  it('starts with the plan and the token the job must run with', () => {
    expect(plannedState([step, step], 'fp-1')).toEqual({ steps: [step, step], token: 'fp-1' });
  });

  it('reads rows defensively: missing or mistyped fields are left out', () => {
    expect(runnerStateOf({ runnerState: {} })).toEqual({ steps: [] });
    expect(runnerStateOf({ runnerState: { steps: [step], step: '1', nonce: 5, messageIds: ['1', 2, '3'], accepted: 'yes', sentAt: 10 } })).toEqual({ steps: [step], messageIds: ['1', '3'], sentAt: 10 });
    expect(runnerStateOf({ runnerState: { steps: [step], step: 0, nonce: '77', interactionId: '88', applicationId: '99', accepted: true, token: 'fp' } })).toEqual({
      steps: [step], step: 0, nonce: '77', interactionId: '88', applicationId: '99', accepted: true, token: 'fp',
    });
  });

  it('says whether the bot has accepted the job (asynchronous calls answer then)', () => {
    expect(isAccepted({ runnerState: { steps: [], accepted: true } })).toBe(true);
    expect(isAccepted({ runnerState: { steps: [] } })).toBe(false);
    expect(isAccepted({ runnerState: { accepted: 'true' } })).toBe(false);
  });

  it('tells dashboards how many steps are done', () => {
    const two = { steps: [step, step] };
    expect(stepProgress({ status: 'created', runnerState: { steps: [] } })).toBeNull();
    expect(stepProgress({ status: 'created', runnerState: two })).toEqual({ step: 0, steps: 2 });
    expect(stepProgress({ status: 'started', runnerState: { ...two, step: 0 } })).toEqual({ step: 1, steps: 2 });
    expect(stepProgress({ status: 'progress', runnerState: { ...two, step: 1 } })).toEqual({ step: 2, steps: 2 });
    expect(stepProgress({ status: 'completed', runnerState: { ...two, step: 1 } })).toEqual({ step: 2, steps: 2 });
  });
});
