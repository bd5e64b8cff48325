export { UserError, reportError } from './errors.js';
