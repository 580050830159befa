/**
 * @rpyc/tests (private): the cross-transport conformance suite and its fixtures.
 */
export { conformanceSuite } from "./conformance-suite.ts";
export { transportFactories, type TransportFactory } from "./transport-factories.ts";
export { ClientService, ConformanceService, Counter } from "./conformance-service.ts";
export { createTestCertificates, type TestCertificates } from "./certificates.ts";
export {
  startCuttingProxy,
  type CuttingProxy,
  type Direction,
  type ProxyEndpoint,
} from "./cutting-proxy.ts";
export { nextEvent } from "./events.ts";
