// asc transform for filters written for @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as,
// so they build unchanged on current AssemblyScript. It rewrites only the user's own sources, in
// memory:
//
// 1. A class field of a reference type declared without an initializer (`configuration : string;`)
//    was a null pointer on AssemblyScript 0.14 and is a compile error (TS2564) now. It gets the
//    value old code relied on: "" for strings, a null reference for other classes.
// 2. A stream context that re-declares `root_context` with its own root type
//    (`root_context : AddHeaderRoot;`) clashes with the base class field now (TS2416). The field
//    is renamed, and so is every `this.root_context` inside that class; the runtime still sets
//    the base class field, so other code reading `ctx.root_context` sees the same root.
// 3. A program written for the early runtime (the `wasme init` template: a file imports
//    `RootContextHelper` or `ContextHelper`, or a root's `createContext()` takes no id) gets its
//    `@solo-io/proxy-runtime` imports from assembly/compat/early, whose classes have that shape.
// 4. `x.context_id` (the old runtimes' name of a context's id) reads the SDK's `contextId`
//    when the SDK's BaseContext names it so, in files that import one of the compat packages
//    (unless one of the file's own classes declares a `context_id`).
// 5. A callback override that declares as `u32` a size the SDK's base class declares as `usize`
//    (`onHttpCallResponse(token: u32, headers: u32, body_size: u32, trailers: u32)`, as the old
//    runtimes had it) gets `usize`: an override must match the base exactly now, and on wasm32 the
//    two are the same number.
//
// The compiler's node kinds are numbered differently in each AssemblyScript release, so this
// file never uses them by number: it recognises nodes by their fields and builds new ones with
// the running compiler's own factories.

const PRIMITIVES = new Set([
  "i8",
  "i16",
  "i32",
  "i64",
  "isize",
  "u8",
  "u16",
  "u32",
  "u64",
  "usize",
  "f32",
  "f64",
  "bool",
  "boolean",
  "number",
  "v128",
  "void",
]);
const RENAMED_ROOT = "root_context__compat";
const SOLO = "@solo-io/proxy-runtime";
const COMPAT_PACKAGES = [SOLO, "@gcoredev/proxy-wasm-sdk-as"];
const BASE_CONTEXT_FILE = /(^|\/)assembly\/contexts\/base_context(\.ts)?$/;
/** Where the early runtime's names come from (assembly/compat/early/index.ts). */
const EARLY = "~lib/proxy-wasm-as/assembly/compat/early/index";
const EARLY_ONLY = new Set(["RootContextHelper", "ContextHelper"]);
/** Callbacks whose size parameters (by position) are `usize` in the SDK's base classes. */
const USIZE_PARAMETERS = new Map([
  ["onHttpCallResponse", [4, 2]],
  ["onStart", [1, 0]],
  ["validateConfiguration", [1, 0]],
  ["onRequestBody", [2, 0]],
  ["onResponseBody", [2, 0]],
  ["onDownstreamData", [2, 0]],
  ["onUpstreamData", [2, 0]],
  ["onGrpcReceive", [2, 1]],
  ["onForeignFunction", [2, 1]],
]);

/** Zero in the compiler's own 64-bit integer representation. */
function zero() {
  const make = globalThis.i64_new;
  return typeof make === "function" ? make(0, 0) : BigInt(0);
}

/** The compiler's `Node` class (with the static `create…` factories), found from any node. */
function nodeFactory(node) {
  let ctor = node.constructor;
  while (ctor && typeof ctor.createCallExpression !== "function")
    ctor = Object.getPrototypeOf(ctor);
  return ctor;
}

const isClass = (s) =>
  s && Array.isArray(s.members) && "extendsType" in s && "implementsTypes" in s;
const isField = (m) => m && "parameterIndex" in m && "initializer" in m && !("body" in m);
const isStatic = (m, staticFlag) => (m.flags & staticFlag) !== 0;
const isMethod = (m) => m && m.signature && Array.isArray(m.signature.parameters) && "body" in m;
const isImport = (s) =>
  s && "declarations" in s && "namespaceName" in s && s.path && "internalPath" in s;

function typeName(type) {
  // A NamedTypeNode: name is a TypeName with an identifier; nullable types are left alone.
  if (!type || type.isNullable || !type.name || !type.name.identifier) return null;
  return type.name.identifier.text;
}

/** Calls `visit(node, parent, key)` for every node below `node`. */
function walk(node, visit, seen = new Set()) {
  if (!node || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  for (const key of Object.keys(node)) {
    if (key === "range" || key === "parent") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value)
        if (item && typeof item === "object" && "kind" in item) {
          visit(item);
          walk(item, visit, seen);
        }
    } else if (value && typeof value === "object" && "kind" in value) {
      visit(value);
      walk(value, visit, seen);
    }
  }
}

export default class CompatTransform {
  afterParse(parser) {
    const renameId = sdkNamesIdContextId(parser);
    // SourceKind User = 0, UserEntry = 1 in every release so far.
    const own = parser.sources.filter(
      (source) => source.sourceKind <= 1 && !source.normalizedPath.startsWith("~lib/"),
    );
    // One flavour per program: the early classes and the later ones do not mix, so one file
    // written for the early runtime sends every file's imports there.
    const early = own.some(isEarlyRuntimeFile);
    for (const source of own) {
      for (const statement of source.statements) {
        if (isClass(statement)) this.fixClass(statement);
      }
      if (early) useEarlyRuntime(parser, source);
      if (renameId && importsCompatPackage(source) && !declaresContextId(source)) {
        renameContextId(source);
      }
    }
  }

  fixClass(cls) {
    const N = nodeFactory(cls);
    for (const member of cls.members) if (isMethod(member)) widenSizes(N, member);
    // The static flag is the one a static member carries; `readonly`/`private` do not matter.
    const staticFlag = 1 << 5; // CommonFlags.Static, unchanged across releases
    let renamedRoot = false;
    for (const member of cls.members) {
      if (!isField(member) || isStatic(member, staticFlag) || member.initializer) continue;
      const name = member.name.text;
      const type = typeName(member.type);
      if (type === null || PRIMITIVES.has(type)) continue;
      if (name === "root_context" && cls.extendsType) {
        member.name = N.createIdentifierExpression(RENAMED_ROOT, member.name.range);
        renamedRoot = true;
      }
      const range = member.range;
      member.initializer =
        type === "string"
          ? N.createStringLiteralExpression("", range)
          : N.createCallExpression(
              N.createIdentifierExpression("changetype", range),
              [member.type],
              [N.createIntegerLiteralExpression(zero(), range)],
              range,
            );
    }
    if (!renamedRoot) return;
    const thisKind = N.createThisExpression(cls.range).kind;
    for (const member of cls.members) {
      if (isField(member)) continue;
      walk(member, (node) => {
        if (
          node.property &&
          node.property.text === "root_context" &&
          node.expression &&
          node.expression.kind === thisKind
        ) {
          node.property = N.createIdentifierExpression(RENAMED_ROOT, node.property.range);
        }
      });
    }
  }
}

/** True for a file written for the early runtime (see 3. above). */
function isEarlyRuntimeFile(source) {
  for (const statement of source.statements) {
    if (isImport(statement) && statement.path.value === SOLO && statement.declarations) {
      for (const d of statement.declarations) {
        if (EARLY_ONLY.has(d.foreignName.text)) return true;
      }
    }
    if (isClass(statement) && statement.extendsType) {
      for (const m of statement.members) {
        if (isMethod(m) && m.name.text === "createContext" && m.signature.parameters.length === 0)
          return true;
      }
    }
  }
  return false;
}

/** Points the file's `@solo-io/proxy-runtime` imports at the early entry, and parses that too. */
function useEarlyRuntime(parser, source) {
  for (const statement of source.statements) {
    if (!isImport(statement) || statement.path.value !== SOLO) continue;
    const original = statement.internalPath;
    statement.internalPath = EARLY;
    if (!(parser.backlog instanceof Array) || !(parser.seenlog instanceof Set)) {
      throw new Error(
        "proxy-wasm-as compat transform: this AssemblyScript release's parser has no backlog " +
          "to add assembly/compat/early to; build with AssemblyScript 0.27 or 0.28",
      );
    }
    if (!parser.seenlog.has(EARLY)) {
      parser.seenlog.add(EARLY);
      if (parser.dependees instanceof Map && parser.dependees.has(original)) {
        parser.dependees.set(EARLY, parser.dependees.get(original));
      }
      parser.backlog.push(EARLY);
    }
  }
}

/** Declares as `usize` the `u32` size parameters of known callbacks (see 5. above). */
function widenSizes(N, method) {
  const rule = USIZE_PARAMETERS.get(method.name.text);
  if (!rule) return;
  const [arity, index] = rule;
  const parameters = method.signature.parameters;
  if (parameters.length !== arity) return;
  const type = parameters[index].type;
  if (typeName(type) !== "u32") return;
  type.name.identifier = N.createIdentifierExpression("usize", type.name.identifier.range);
}

/** True when the SDK's BaseContext calls its id `contextId` (see 4. above). */
function sdkNamesIdContextId(parser) {
  for (const source of parser.sources) {
    if (!BASE_CONTEXT_FILE.test(source.normalizedPath)) continue;
    for (const statement of source.statements) {
      if (!isClass(statement) || statement.name.text !== "BaseContext") continue;
      return statement.members.some((m) => m.name && m.name.text === "contextId");
    }
  }
  return false;
}

function importsCompatPackage(source) {
  return source.statements.some(
    (s) =>
      (isImport(s) || (s && s.path && "internalPath" in s)) &&
      s.path &&
      COMPAT_PACKAGES.some((p) => s.path.value === p || s.path.value.startsWith(p + "/")),
  );
}

function declaresContextId(source) {
  return source.statements.some(
    (s) => isClass(s) && s.members.some((m) => m.name && m.name.text === "context_id"),
  );
}

/** Rewrites every `x.context_id` of the file to `x.contextId`. */
function renameContextId(source) {
  for (const statement of source.statements) {
    walk(statement, (node) => {
      if (node.property && node.property.text === "context_id" && node.expression) {
        const N = nodeFactory(node);
        node.property = N.createIdentifierExpression("contextId", node.property.range);
      }
    });
  }
}
