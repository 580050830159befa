/**
 * Keeping a server registered with a registry (RPyC's `auto_register`): register the service
 * names with the bound port on listen, again every interval, retry failures quietly, unregister
 * on close. The registry client (`@rpyc/registry`) implements `Registrar`; this package only
 * calls it.
 */

/**
 * What a server needs from a registry client. `@rpyc/registry`'s clients implement it.
 *
 * @example
 * const registrar: Registrar = {
 *   register: async (names, port) => { console.log("register", names, port); },
 *   unregister: async (port) => { console.log("unregister", port); },
 * };
 * const server = await serve(EchoService, { registrar });
 */
export interface Registrar {
  /** Announces `names` (the service name first, then its aliases) on `port`. */
  register(names: readonly string[], port: number): Promise<unknown>;
  /** Withdraws every name announced on `port`. */
  unregister(port: number): Promise<unknown>;
}

/**
 * Default re-registration interval: 60 s (RPyC's `REREGISTER_INTERVAL`).
 *
 * @example
 * await serve(EchoService, { registrar, registerIntervalMs: DEFAULT_REGISTER_INTERVAL_MS / 2 });
 */
export const DEFAULT_REGISTER_INTERVAL_MS = 60_000;
/**
 * Delay before retrying a failed registration (RPyC retries every second until it succeeds).
 *
 * @example
 * // a failed registration is retried after REGISTER_RETRY_MS (or the interval, if shorter)
 */
export const REGISTER_RETRY_MS = 1000;

export interface Registration {
  /** Stops re-registering and unregisters (errors swallowed); never rejects. */
  stop(): Promise<void>;
}

/**
 * Registers now, then every `intervalMs`; a failure is retried after `REGISTER_RETRY_MS`
 * (or the interval, if shorter). Errors go to `onError`, never thrown. `serve()` uses it; so do
 * servers that listen on their own (rpyc-classic's forking mode).
 *
 * @example
 * const registration = startRegistration(registrar, ["CLASSIC"], 18812, 60_000, console.error);
 * await registration.stop();
 */
export function startRegistration(
  registrar: Registrar,
  names: readonly string[],
  port: number,
  intervalMs: number,
  onError: (error: unknown) => void,
): Registration {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(run, ms);
  };
  const run = (): void => {
    timer = undefined;
    inFlight = Promise.resolve()
      .then(() => registrar.register(names, port))
      .then(
        () => schedule(intervalMs),
        (error: unknown) => {
          onError(error);
          schedule(Math.min(REGISTER_RETRY_MS, intervalMs));
        },
      );
  };
  run();

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      try {
        await registrar.unregister(port);
      } catch (error) {
        onError(error);
      }
    },
  };
}
