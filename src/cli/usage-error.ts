import { CustodianError } from '../errors.js';

/**
 * A command line the CLI cannot run: an unknown option, a missing value, a size it cannot
 * read. The message says what is accepted; `main()` prints it with the usage and exits with 2.
 */
export class UsageError extends CustodianError {
  override name = 'UsageError';

  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message);
  }
}
