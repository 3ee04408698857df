import { globalSlot } from '../_internal/global-slot.js';
import { DEFAULT_REGISTRY_SLOT } from './default-registry-slot.js';
import { ResourceRegistry } from './resource-registry.js';

/**
 * The process-wide default registry, shared by every entry point and by the ESM and CJS
 * copies of the library. `cleanupAll()` and the test framework integrations clean it up
 * after every test; it is never disposed for good by the library.
 *
 * @example
 * ```ts
 * import { registry } from 'custodian';
 * const server = http.createServer(app).listen(0);
 * registry.register(server); // closed, with its keep-alive connections, after this test
 * ```
 */
export const registry: ResourceRegistry = globalSlot(DEFAULT_REGISTRY_SLOT, () => new ResourceRegistry({ name: 'default' }));
