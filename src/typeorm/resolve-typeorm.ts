import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CustodianError, CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';

/**
 * A TypeORM `DataSource` class, from TypeORM 0.3 or 1.x. Typed loosely: the types of the
 * `typeorm` custodian is built against need not be the user's version.
 */
export type DataSourceClass = abstract new (...args: never[]) => { initialize(): Promise<unknown>; readonly isInitialized: boolean };

/**
 * The `typeorm` module as the user's project sees it: resolved from `process.cwd()`, not from
 * custodian's own location, so a project with its own copy (or a workspace with several) gets
 * the DataSource class its code actually instantiates. `require` reaches both the CJS and the
 * ESM build: TypeORM's ESM entry re-exports the CJS classes.
 */
export function loadTypeorm(): { DataSource: DataSourceClass } {
  const requireFromCwd = createRequire(join(process.cwd(), '__custodian_resolve__.js'));
  try {
    return requireFromCwd('typeorm') as { DataSource: DataSourceClass };
  } catch (error) {
    throw new CustodianError(
      'ERR_UNSUPPORTED_RESOURCE',
      `custodian/typeorm could not load "typeorm" from ${process.cwd()}: install it, or pass the class with { DataSource }`,
      { cause: error },
    );
  }
}

/** The DataSource class(es) to work with: the option when given, else the user's `typeorm`. */
export function dataSourceClasses(option: DataSourceClass | readonly DataSourceClass[] | undefined, what: string): DataSourceClass[] {
  if (option === undefined) return [loadTypeorm().DataSource];
  const classes = Array.isArray(option) ? [...(option as readonly DataSourceClass[])] : [option as DataSourceClass];
  for (const candidate of classes) {
    if (typeof candidate !== 'function' || typeof (candidate.prototype as { initialize?: unknown })?.initialize !== 'function') {
      throw new CustodianTypeError(`${what} option DataSource must be TypeORM's DataSource class, got ${describeValue(candidate)}`);
    }
  }
  return classes;
}

/** Whether a module can be resolved from the user's project. */
export function canResolve(name: string): boolean {
  try {
    createRequire(join(process.cwd(), '__custodian_resolve__.js')).resolve(name);
    return true;
  } catch {
    return false;
  }
}
