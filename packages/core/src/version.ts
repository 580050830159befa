/**
 * The library version announced in the Hello (keep in step with package.json).
 *
 * @example
 * console.log(LIBRARY_VERSION); // "0.1.0"
 */
export const LIBRARY_VERSION = "0.1.0";
