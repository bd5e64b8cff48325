/**
 * Fills correct / formatValid of rollouts given as text + gold with the envs verifier. The verifier module is
 * imported only when a batch has text rollouts, so numeric batches never load it.
 */
import type { TextJob } from './groups.js';

export type VerifyMode = 'reward' | 'eval';

/** Verifies every job in place; a truncated rollout is never correct nor well formatted (spec "Inputs"). */
export async function verifyTextJobs(jobs: readonly TextJob[], mode: VerifyMode): Promise<void> {
  if (jobs.length === 0) return;
  const { verifyAnswer } = await import('@brevity/envs');
  for (const j of jobs) {
    const v = verifyAnswer(j.text, j.gold, { mode });
    j.rollout.correct = v.correct && !j.rollout.truncated;
    j.rollout.formatValid = v.formatValid && !j.rollout.truncated;
  }
}
