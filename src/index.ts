/** Library entry point: the types a plugin author or an embedding program needs. */
export type * from './core/types.ts';
export type * from './core/check.ts';
export type * from './probes/types.ts';
export type * from './config/settings.ts';
export { defineCheck, pass, warn, fail, skip } from './core/check.ts';
export { ProbeError } from './core/errors.ts';
