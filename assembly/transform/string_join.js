// asc transform: `Array<string>#join` in one allocation at every shrink level.
//
// AssemblyScript's standard library joins an array of strings with one allocation of the final
// length only when compiled with shrinkLevel 0; at any other level it falls back to the generic
// join, which appends element by element (`result += value`). Each step allocates a new string,
// and the SDK's runtime collects only between callbacks, so joining n strings in one callback
// held O(n²) bytes until the callback returned (800 short lines: about 31 MB). The release target
// uses shrinkLevel 1 for speed, so this transform makes `join` take the one-allocation path for
// strings regardless of the level; nothing else of the standard library changes.
//
// Node kinds are numbered differently in each AssemblyScript release, so nodes are recognised by
// their fields, and the new node comes from the running compiler's own factory.

/** The compiler's `Node` class (with the static `create…` factories), found from any node. */
function nodeFactory(node) {
  let ctor = node.constructor;
  while (ctor && typeof ctor.createTrueExpression !== "function")
    ctor = Object.getPrototypeOf(ctor);
  return ctor;
}

const named = (node, text) => node && node.name && node.name.text === text;

/** `if (ASC_SHRINK_LEVEL < 1) …`: the guard in front of the one-allocation join. */
function isShrinkGuard(statement) {
  const c = statement && "ifTrue" in statement ? statement.condition : null;
  return !!c && c.left && c.left.text === "ASC_SHRINK_LEVEL" && "right" in c;
}

export default class StringJoinTransform {
  afterParse(parser) {
    const array = parser.sources.find((s) => s.internalPath === "~lib/array");
    if (!array) return; // the standard library was not parsed: nothing to change
    const cls = array.statements.find((s) => named(s, "Array") && Array.isArray(s.members));
    const join = cls && cls.members.find((m) => named(m, "join") && m.body);
    const guard = join && join.body.statements.find(isShrinkGuard);
    if (!guard) {
      throw new Error(
        "proxy-wasm-as/assembly/transform/string_join.js: this AssemblyScript's Array#join has " +
          "no ASC_SHRINK_LEVEL guard to lift; remove the transform from asconfig or use the " +
          "AssemblyScript version the SDK is built with",
      );
    }
    guard.condition = nodeFactory(guard.condition).createTrueExpression(guard.condition.range);
  }
}
