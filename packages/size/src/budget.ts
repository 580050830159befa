/**
 * The budget of the rpyc-ts page (entries/rpyc-page.ts): at most this many bytes once
 * minified and gzipped (24 KB). `pnpm size` (CI) and test/size.test.ts fail past it.
 */
export const BUDGET_GZIP_BYTES = 24_000;
