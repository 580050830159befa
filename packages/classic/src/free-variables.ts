/**
 * The free variables of a function's source: the names it reads or writes that none of its own
 * scopes declares. A teleported function runs in the server's namespace, so each free variable
 * must be defined there, or the function would fail later with a `ReferenceError` far from the
 * cause. Parsing uses ESLint's own parser and scope analyser (espree, eslint-scope): scope rules
 * (hoisting, TDZ, `catch` bindings, class bodies, destructuring) are subtle and they get them
 * right.
 */
// The declarations travel with this file, for packages that typecheck it from source (an
// ambient module file has no import form).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./vendor.d.ts" />
import { analyze } from "eslint-scope";
import { parse } from "espree";
import { TeleportError } from "./errors.ts";

/**
 * Parses `source` as one function (or class) expression and lists its free variables, in order
 * of first use. Throws `TeleportError` `RPYC_ERR_TELEPORT_SOURCE` when it is not one.
 *
 * @example
 * freeVariables("(a) => a + b + Math.PI"); // ["b", "Math"]
 */
export function freeVariables(source: string): string[] {
  let ast: unknown;
  try {
    ast = parse(`(${source}\n)`, { ecmaVersion: "latest", sourceType: "script", range: true });
  } catch (error) {
    throw new TeleportError(
      "RPYC_ERR_TELEPORT_SOURCE",
      `the function's source does not parse as a function expression (${(error as Error).message}); ` +
        "methods written as `name() {}` cannot be teleported: use a function or arrow expression",
    );
  }
  const body = (ast as { body: { type: string; expression?: { type: string } }[] }).body;
  const kind = body.length === 1 ? body[0]!.expression?.type : undefined;
  if (
    kind !== "FunctionExpression" &&
    kind !== "ArrowFunctionExpression" &&
    kind !== "ClassExpression"
  ) {
    throw new TeleportError(
      "RPYC_ERR_TELEPORT_SOURCE",
      "only a function, arrow function or class can be teleported",
    );
  }
  const scopes = analyze(ast, { ecmaVersion: 2022, sourceType: "script" });
  const names: string[] = [];
  for (const ref of scopes.globalScope.through) {
    const name = ref.identifier.name;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
