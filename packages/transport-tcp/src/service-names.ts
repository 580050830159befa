/** The names a server registers: the service's name, then its aliases (RPyC's get_service_aliases). */
import { serviceNameOf, type ServiceSpec } from "@rpyc/core";

/** `["ECHO", ...aliases]` for `EchoService` (a class) or an instance of it. */
export function serviceNames(service: ServiceSpec): string[] {
  const cls = typeof service === "function" ? service : (service as object).constructor;
  const aliases = (cls as { aliases?: unknown }).aliases;
  const extra = Array.isArray(aliases)
    ? aliases.filter((a): a is string => typeof a === "string")
    : [];
  return [serviceNameOf(cls), ...extra.map((alias) => alias.toUpperCase())];
}
