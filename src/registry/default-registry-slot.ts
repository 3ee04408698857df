/** The process-wide slot of the default `registry` (see `default-registry.ts`), readable without loading the registry. */
export const DEFAULT_REGISTRY_SLOT = 'registry';
