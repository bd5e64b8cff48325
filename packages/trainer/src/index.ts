export { UserError, reportError } from './errors.js';
export * from './backend.js';
export * from './model/config.js';
export * from './model/ops.js';
export * from './model/policy.js';
export * from './model/sampling.js';
export * from './model/generate.js';
