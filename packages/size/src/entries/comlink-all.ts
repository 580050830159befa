// Comlink has no WebSocket client: its whole API (wrap, expose, proxy over a MessagePort).
export * from "comlink";
