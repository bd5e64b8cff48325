/**
 * format: 1 if the response has `<think>`...`</think>` and then an extractable final answer, else 0
 * (DeepSeek-R1 format reward, arXiv 2501.12948, Sec. 2.2.2; TRL `think_format_reward`).
 * The answer part comes from the verifier (`formatValid`); the tags from `thinkEnd` and, when the opening tag
 * is required, from the response text.
 */
import { z } from 'zod';
import { at, mapRollouts } from './common.js';
import { RewardInputError } from './errors.js';
import type { RewardDefinition, RewardGroup, RewardRollout } from './types.js';

export const formatParams = z.strictObject({
  requireOpenTag: z
    .boolean()
    .default(true)
    .describe(
      'Require `<think>` in the response text before `</think>` (needs the text). Set false when the chat ' +
        'template puts `<think>` in the prompt (DeepSeek-R1-Distill); then `thinkEnd` >= 0 suffices.',
    ),
});
export type FormatParams = z.output<typeof formatParams>;

/** Index of the first `</think>` by thinkEnd when given, else by the text; -1 when absent. */
function closeTagAt(r: RewardRollout): number {
  if (r.thinkEnd !== undefined) return r.thinkEnd;
  return r.text === undefined ? -1 : r.text.indexOf('</think>');
}

/** 1 when the response finished, has the think block (opening tag if required) and a valid answer. */
export function formatValue(
  r: RewardRollout,
  requireOpenTag: boolean,
  group: RewardGroup,
  i: number,
): number {
  if (requireOpenTag && r.text === undefined)
    throw new RewardInputError(`format: ${at(group, i)} has no text (needed for requireOpenTag)`);
  if (!requireOpenTag && r.thinkEnd === undefined && r.text === undefined)
    throw new RewardInputError(`format: ${at(group, i)} has neither thinkEnd nor text`);
  if (r.truncated || !r.formatValid || closeTagAt(r) < 0) return 0;
  if (!requireOpenTag) return 1;
  const text = r.text as string;
  const open = text.indexOf('<think>');
  return open >= 0 && open < text.indexOf('</think>') ? 1 : 0;
}

export const format: RewardDefinition<typeof formatParams> = {
  name: 'format',
  summary: '1 for a finished response with a think block and an extractable final answer, else 0.',
  source: 'DeepSeek-R1 format reward (arXiv 2501.12948, Sec. 2.2.2); TRL think_format_reward.',
  schema: formatParams,
  create: (params) => ({
    name: 'format',
    params,
    needs: params.requireOpenTag ? ['text'] : ['thinkEnd'],
    score: (batch) => mapRollouts(batch, (r, g, i) => formatValue(r, params.requireOpenTag, g, i)),
  }),
};
