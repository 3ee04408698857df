import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';

/**
 * A `configure()` option, a `cleanupAll()` option or a `CUSTODIAN_*` environment variable has a
 * name custodian does not know or a value it does not accept. A `TypeError` with code
 * `ERR_INVALID_ARGUMENT` that names the option (`option`) and what it accepts (`allowed`).
 */
export class InvalidOptionError extends CustodianTypeError {
  /** The option's path (`timeouts.runner`) or the environment variable (`CUSTODIAN_LEAKS`). */
  readonly option: string;
  /** What it accepts: the allowed values, or the known option names for an unknown option. */
  readonly allowed: readonly string[];

  constructor(message: string, option: string, allowed: readonly string[]) {
    super(message);
    this.option = option;
    this.allowed = allowed;
  }

  /** An option name that is not one of `known`. */
  static unknown(where: string, option: string, known: readonly string[]): InvalidOptionError {
    return new InvalidOptionError(`${where}: unknown option "${option}"; the known options are ${known.join(', ')}`, option, known);
  }

  /** A value of the wrong type or out of range. */
  static value(where: string, option: string, allowed: readonly string[], value: unknown): InvalidOptionError {
    // CUSTODIAN_* values are settings, not secrets, but keep a stray long value out of the message.
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : describeValue(value);
    return new InvalidOptionError(`${where}: ${option} cannot be ${shown}; it accepts ${allowed.join(' | ')}`, option, allowed);
  }
}
