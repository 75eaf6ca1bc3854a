import { PaasmakerError } from '../kernel/errors';

/**
 * `E_MODEL_CONFLICT`: an instance type named a hostname another application holds. The other
 * application is not named (it may be another tenant's).
 */
export class HostnameClaimedError extends PaasmakerError {
  constructor(
    /** The hostname another application holds. */
    readonly hostname: string,
    /** The instance type that named it. */
    readonly instanceTypeName: string,
  ) {
    super(
      'E_MODEL_CONFLICT',
      `instance type ${instanceTypeName}: the hostname ${hostname} is already claimed by another application.`,
    );
  }
}
