/** The conformance suite, once per transport (memory, tcp, tcp+tls, unix, ws, stdio). */
import { conformanceSuite } from "../src/conformance-suite.ts";
import { transportFactories } from "../src/transport-factories.ts";

for (const factory of transportFactories()) conformanceSuite(factory);
