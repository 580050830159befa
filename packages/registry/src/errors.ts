/**
 * Errors raised by @rpyc/registry. Every class extends `RpycError` (from @rpyc/protocol) and
 * carries a stable `RPYC_ERR_*` code: match on `err.code` or `instanceof`, never on the message.
 */
import { RpycError } from "@rpyc/protocol";

export { RpycError } from "@rpyc/protocol";

/**
 * One endpoint `connectByService` tried, and why it failed.
 *
 * @example
 * for (const { host, port, error } of err.attempts) console.error(`${host}:${port}`, error);
 */
export interface FailedAttempt {
  readonly host: string;
  readonly port: number;
  readonly error: unknown;
}

/**
 * Discovery failed: no server registered the service (`connectByService` only; `discover`
 * returns `[]` for that), or every registered endpoint refused the connection. `attempts` lists
 * what was tried and why each failed.
 *
 * @example
 * try { await connectByService("TIME", { registry }) } catch (err) {
 *   if (err instanceof DiscoveryError) console.error(err.message); // names every endpoint tried
 * }
 */
export class DiscoveryError extends RpycError {
  override name = "DiscoveryError";
  /** The service name that was looked up (upper-cased). */
  readonly service: string;
  /** The endpoints tried, in order, with their errors (empty when nothing was registered). */
  readonly attempts: readonly FailedAttempt[];

  constructor(
    service: string,
    message: string,
    options?: ErrorOptions & { attempts?: readonly FailedAttempt[]; code?: string },
  ) {
    super(options?.code ?? "RPYC_ERR_DISCOVERY", message, options);
    this.service = service;
    this.attempts = options?.attempts ?? [];
  }
}

/**
 * The registry did not answer: nothing replied within the client's timeout (UDP), or the
 * connection was refused, reset or timed out (TCP). A `DiscoveryError` subclass, so code that
 * handles "could not discover" catches it too; the code tells the two apart.
 *
 * @example
 * const registry = createTcpRegistryClient({ host: "127.0.0.1", port: 18811, timeoutMs: 500 });
 * await registry.discover("TIME"); // rejects with RegistryUnreachableError when no registry runs
 */
export class RegistryUnreachableError extends DiscoveryError {
  override name = "RegistryUnreachableError";
  constructor(service: string, message: string, options?: ErrorOptions) {
    super(service, message, { ...options, code: "RPYC_ERR_REGISTRY_UNREACHABLE" });
  }
}

/**
 * The registry refuses to list its services (listing is off by default, like RPyC's
 * `allow_listing=False`; RPyC raises `ForbiddenError`). Start it with `allowListing: true`
 * (`rpyc-registry --listing`) to allow it.
 *
 * @example
 * try { await registry.listServices() } catch (err) {
 *   if (err instanceof ListingDisabledError) console.log("ask the operator to pass --listing");
 * }
 */
export class ListingDisabledError extends RpycError {
  override name = "ListingDisabledError";
  constructor(
    message = "the registry does not allow listing its services (start it with allowListing: true or --listing)",
    options?: ErrorOptions,
  ) {
    super("RPYC_ERR_LISTING_DISABLED", message, options);
  }
}

/**
 * The registry answered with an error (`RPYC_ERR_REGISTRY_REJECTED`: bad arguments, a full
 * table), or with bytes that are not a valid reply (`RPYC_ERR_REGISTRY_PROTOCOL`). Also thrown
 * locally for arguments that could never be sent (an empty name, a port out of range, a request
 * over the size limit).
 *
 * @example
 * await registry.register([""], 18861); // rejects: RegistryError RPYC_ERR_REGISTRY_BAD_REQUEST
 */
export class RegistryError extends RpycError {
  override name = "RegistryError";
}
