/**
 * @brevity/rewards: every length-aware reward of the spec (specs/rewards.md) as a plain object with a zod
 * params schema. Pure TypeScript: no tfjs, no I/O.
 */
export * from './types.js';
export * from './errors.js';
export * from './common.js';
export * from './registry.js';
export * from './laser-targets.js';
export * from './accuracy.js';
export * from './format.js';
export * from './truncation.js';
export * from './thinkprune.js';
export * from './efficient-reasoning.js';
export * from './kimi.js';
export * from './l1-exact.js';
export * from './l1-max.js';
export * from './laser.js';
export * from './laser-d.js';
export { laserDe } from './laser-de.js';
export * from './grpo-lambda.js';
export * from './pear.js';
export * from './conciser.js';
export * from './cosine.js';
export * from './dapo-overlong.js';
export * from './repetition.js';
export * from './sum.js';
export * from './docs.js';
