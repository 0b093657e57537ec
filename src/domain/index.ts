/**
 * Public surface of the pure allocation engine (SPEC §1, §2).
 */
export { createDecisionContext, type DecisionContext } from './context.js';
export { decide } from './decide.js';
export { formatTrace } from './format-trace.js';
export * from './types.js';
