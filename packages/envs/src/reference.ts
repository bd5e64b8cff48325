/** The params reference of every environment, generated from the zod schemas (style rule 4). */
import { configReference } from '@brevity/core';
import { arithmeticParamsSchema } from './arithmetic.js';
import { jsonlParamsSchema } from './dataset.js';
import { modchainParamsSchema } from './modchain.js';

/** Markdown tables of every environment's params, as docs/envs.md embeds them. */
export function envsReference(): string {
  const table = (schema: Parameters<typeof configReference>[0], title: string) =>
    configReference(schema, title)
      .replace(/^# /, '### ')
      .replace('by `brevity docs`', 'by `envsReference()`; a test keeps this copy in sync');
  return [
    table(modchainParamsSchema, '`modchain` params'),
    table(arithmeticParamsSchema, '`arithmetic` params'),
    table(jsonlParamsSchema, '`jsonl` params'),
  ].join('\n');
}
