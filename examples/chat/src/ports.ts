/** The chat's default ports: tcp like RPyC's chat demo (19912), and the web page next to it. */
export const DEFAULT_TCP_PORT = 19912;
/** The http port serving the web page and the WebSocket endpoint. */
export const DEFAULT_HTTP_PORT = 19913;
/** Where the WebSocket endpoint lives on the http server. */
export const WS_PATH = "/rpyc";
