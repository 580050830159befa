// Every export of @rpyc/core and of the browser entry of @rpyc/transport-ws (no tree shaking).
export * from "@rpyc/core";
export * as ws from "@rpyc/transport-ws";
