/** Backend names, apart from backend.ts so the CLI can list them without loading tfjs. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

/** `auto` and every backend, for CLI `choices` and config enums. */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
