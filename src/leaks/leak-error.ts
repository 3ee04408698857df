import { CustodianError } from '../errors.js';
import type { LeakInfo, LeakReport } from './types.js';

function formatLeak(leak: LeakInfo, scope: string): string {
  const head = `  - ${leak.description} [${leak.type}]${leak.disposed ? ' (closed by custodian)' : ''}`;
  const where =
    leak.stack !== undefined
      ? `\n    created at\n${leak.stack
          .split('\n')
          .map((frame) => `      ${frame}`)
          .join('\n')}`
      : '\n    (set stacks: true, or CUSTODIAN_STACKS=1, to see where it was created)';
  const owner = leak.test !== scope ? `\n    created by: ${leak.test}` : '';
  return head + owner + where;
}

/**
 * The message for a leak report: each leak, the test that created it, where (with stacks), and
 * the way out.
 */
export function formatLeakReport(report: LeakReport): string {
  const count = report.leaks.length;
  return (
    `"${report.scope}" left ${count} handle${count === 1 ? '' : 's'} open:\n` +
    report.leaks.map((leak) => formatLeak(leak, report.scope)).join('\n') +
    '\nFix: register each resource with registry.register(resource) (or `await using`) so cleanupAll() closes it after the test, ' +
    'or close it in afterEach. To accept a handle on purpose, add a trackHandles() ignore filter.'
  );
}

/**
 * A test left handles open and the leak action is `'fail'`. Code `ERR_LEAK_DETECTED`; carries
 * the {@link LeakReport} (the handles were closed before it was thrown, see `disposed`).
 */
export class LeakDetectedError extends CustodianError {
  override name = 'LeakDetectedError';
  /** The test's report: what leaked, who created it, whether it was closed. */
  readonly report: LeakReport;

  constructor(report: LeakReport) {
    super('ERR_LEAK_DETECTED', formatLeakReport(report));
    this.report = report;
  }
}
