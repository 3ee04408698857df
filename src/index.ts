export {
  CustodianError,
  CustodianRangeError,
  CustodianTypeError,
  RegistryDisposedError,
  TimeoutError,
  isCustodianError,
  type CustodianErrorCode,
  type CustodianErrorOptions,
} from './errors.js';
export { defineAdapter, RESOURCE_KINDS, type Adapter, type CloseContext, type ResourceKind } from './adapters/adapter.js';
export { registerAdapter } from './adapters/table.js';
export { ResourceRegistry } from './registry/resource-registry.js';
export { registry } from './registry/default-registry.js';
export { CleanupError } from './registry/cleanup-error.js';
export type {
  CleanupOptions,
  CleanupReport,
  DisposeOutcome,
  DisposePhase,
  DisposeStatus,
  Registration,
  RegisterOptions,
  RegistryOptions,
  ResourceInfo,
} from './registry/types.js';
export { SuppressedErrorCtor as SuppressedError } from './_internal/suppressed-error.js';
export { forceGc } from './memory/force-gc.js';
export { AsyncRunner } from './runner/async-runner.js';
export { getGlobalRunner } from './runner/get-global-runner.js';
export { shutdownGlobalRunner } from './runner/global-runner.js';
export { RunnerClosedError, ShutdownError } from './runner/errors.js';
export type {
  RunOptions,
  RunnerOptions,
  ShutdownOptions,
  ShutdownReport,
  SpawnOptions,
  Task,
  TaskHandle,
  TaskInfo,
  TaskKind,
} from './runner/types.js';
export { registerGlobalReset } from './globals/global-resets.js';
export { snapshotGlobals, setGlobalsBaseline, clearGlobalsBaseline, getGlobalsBaseline } from './globals/snapshot.js';
export { resetGlobals, GlobalsResetError } from './globals/reset-globals.js';
export type {
  FailedReset,
  GlobalsIgnore,
  GlobalsSnapshot,
  ListenerChange,
  ResetGlobalsOptions,
  ResetReport,
  UnrestorableGlobal,
} from './globals/types.js';
export { configure } from './lifecycle/configure.js';
export { cleanupAll } from './lifecycle/cleanup-all.js';
export { install, uninstall } from './lifecycle/install.js';
export { LifecycleError } from './lifecycle/lifecycle-error.js';
export { InvalidOptionError } from './lifecycle/invalid-option-error.js';
export type { CustodianOptions, GlobalsOptions, LeakMode, MemoryGcMode, MemoryOptions, ResolvedOptions, TimeoutOptions } from './lifecycle/options.js';
export type { CleanupAllOptions, LifecycleReport, LifecycleStep, LifecycleStepOutcome, LifecycleStepStatus } from './lifecycle/types.js';
// Leak detection
export { trackHandles, HandleTracker } from './leaks/handle-tracker.js';
export { LeakDetectedError, formatLeakReport } from './leaks/leak-error.js';
export { checkLeaks, getActiveTracker, setActiveTracker, type LeakAction } from './leaks/current.js';
export {
  LEAK_KINDS,
  type EndOptions,
  type LeakFilter,
  type LeakInfo,
  type LeakKind,
  type LeakReport,
  type TrackHandlesOptions,
} from './leaks/types.js';
export { MemoryMonitor } from './memory/memory-monitor.js';
export { MemoryThresholdError } from './memory/memory-threshold-error.js';
export { getMemoryMonitor, peekMemoryMonitor, setMemoryMonitor } from './memory/global-monitor.js';
export { computeTrend, type TrendSample } from './memory/trend.js';
export type {
  GcMode,
  MemoryLevel,
  MemoryMonitorOptions,
  MemorySample,
  MemoryStep,
  MemoryTrend,
  TrendOptions,
} from './memory/types.js';
// Database engines and network clients (recognised by shape; none of their libraries is imported)
export {
  databaseAdapters,
  ioredisAdapter,
  ioredisClusterAdapter,
  knexAdapter,
  mysql2ConnectionAdapter,
  mysql2PoolAdapter,
  nodeRedisAdapter,
  pgClientAdapter,
  pgPoolAdapter,
  typeormDataSourceAdapter,
  undiciDispatcherAdapter,
  wsServerAdapter,
  wsWebSocketAdapter,
} from './adapters/databases/index.js';
