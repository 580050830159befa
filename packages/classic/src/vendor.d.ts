// The little of espree and eslint-scope that free-variables.ts uses (neither ships types).
declare module "espree" {
  export function parse(source: string, options: Record<string, unknown>): unknown;
}
declare module "eslint-scope" {
  export function analyze(
    ast: unknown,
    options: Record<string, unknown>,
  ): { globalScope: { through: { identifier: { name: string } }[] } };
}
