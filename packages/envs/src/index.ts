export * from './tokenizer.js';
export * from './env.js';
export * from './registry.js';
export * from './chain-trace.js';
export * from './trace-analysis.js';
export * from './modchain.js';
export * from './verifier/types.js';
export { verifyAnswer, extractAnswer, goldAnswer } from './verifier/verify.js';
