/**
 * @rpyc-examples/web-kit (private): what the demos with a web page share. A page's script is
 * bundled for the browser in memory at startup (`bundlePage`) and served with its html from
 * memory (`createStaticSite`), so the page always matches the source and nothing needs building.
 * `isMain` lets a server file be both a module (for tests) and a command.
 */
export { bundlePage } from "./bundle-page.ts";
export { createStaticSite, type SiteFile, type SiteHandler } from "./static-site.ts";
export { isMain } from "./is-main.ts";
