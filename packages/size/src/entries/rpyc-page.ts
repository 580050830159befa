// A page that talks to an rpyc-ts server over WebSocket: the client, a service of its own for
// the server to call, and the helpers a page uses (the web8 page imports these).
export { connect } from "@rpyc/transport-ws";
export { Service, release, byRef, restricted, isNetref, RpycError } from "@rpyc/core";
