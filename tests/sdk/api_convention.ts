// Walks the export graph of an AssemblyScript SDK entry (assembly/index.ts) with the TypeScript
// compiler API and checks the SDK's rules on it: every export and every public member of an
// exported class has a doc comment, no exported name is snake_case, and every wrapper (an exported
// function, namespace function or public method whose code reaches a hostcall of abi/imports.ts,
// directly or through other SDK code) follows the error convention of
// README "Errors", in its declared return type and in its doc comment.
import ts from "typescript";
import { relative, sep } from "node:path";

/** One rule broken by one exported name or member. */
export interface Violation {
  /** `name`, `Class.method` or `namespace.function`. */
  name: string;
  /** The source file and line, relative to the SDK root. */
  where: string;
  problem: string;
}

/** The shapes a wrapper may return, each with what its doc comment must say about failures. */
const SHAPES: { shape: string; type: RegExp; doc: RegExp; docSays: string }[] = [
  { shape: "action", type: /^WasmResult$/, doc: /Returns Ok/, docSays: "Returns Ok …" },
  { shape: "read", type: /^[\w.<>]+ \| null$/, doc: /null/i, docSays: "when it is null" },
  { shape: "result", type: /^Result<.+>$/, doc: /`ok`/, docSays: "when it is not `ok`" },
];
/** Predicates (`has…`, `is…`) answer a plain bool: false when the host cannot tell. */
const PREDICATE = { name: /^(has|is)[A-Z]?/, type: /^bool$/, doc: /true|false/i };

/** The callbacks a filter overrides (the host calls them; they wrap no hostcall). */
const CALLBACK = /^(on[A-Z]\w*|createContext|validateConfiguration)$/;

function isHostcallFile(file: ts.SourceFile): boolean {
  return file.fileName.endsWith("/abi/imports.ts");
}

/** The doc comment of `node` as one line of text ("" when it has none). */
function docOf(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .map((d) => d.getText())
    .join(" ")
    .replace(/^\s*\/?\*+\/?/gm, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Whether a name re-exported from a library (not declared in the SDK) is documented where the
 * SDK re-exports it: `/** … *\/ export { JSON };`.
 */
function documentedReexport(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  let s: ts.Symbol | undefined = symbol;
  while (s !== undefined && s.flags & ts.SymbolFlags.Alias) {
    for (const d of s.declarations ?? []) {
      if (ts.isExportSpecifier(d) && docOf(d.parent.parent) !== "") return true;
    }
    s = checker.getImmediateAliasedSymbol(s);
  }
  return false;
}

function isPublicMember(member: ts.ClassElement): boolean {
  const name = member.name?.getText() ?? "";
  if (name.startsWith("_") || name === "") return false;
  const flags = ts.getCombinedModifierFlags(member as ts.Declaration);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

/** What `checkSdk` found. */
export interface SdkCheck {
  /** The wrappers it checked (names that reach a hostcall), sorted. */
  wrappers: string[];
  violations: Violation[];
}

/** Checks the SDK whose public entry is `entry`; `root` is only used to print paths. */
export function checkSdk(entry: string, root: string): SdkCheck {
  const program = ts.createProgram([entry], {
    noLib: true,
    noEmit: true,
    allowJs: false,
    experimentalDecorators: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error(`checkSdk: cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`checkSdk: ${entry} exports nothing`);

  const violations: Violation[] = [];
  const wrappers: string[] = [];
  const where = (node: ts.Node): string => {
    const file = node.getSourceFile();
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    return `${relative(root, file.fileName).split(sep).join("/")}:${line}`;
  };
  const report = (name: string, node: ts.Node, problem: string) =>
    violations.push({ name, where: where(node), problem });

  const resolve = (symbol: ts.Symbol | undefined): ts.Symbol | undefined =>
    symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias
      ? checker.getAliasedSymbol(symbol)
      : symbol;

  const exported = checker.getExportsOfModule(moduleSymbol).map((s) => ({
    name: s.name,
    alias: s,
    symbol: resolve(s)!,
  }));
  // A class's members and those it inherits from SDK classes (nearest first, overrides once).
  const membersOf = (decl: ts.ClassDeclaration): ts.ClassElement[] => {
    const seen = new Set<string>();
    const out: ts.ClassElement[] = [];
    for (let c: ts.ClassDeclaration | undefined = decl; c !== undefined;) {
      for (const m of c.members) {
        const key = m.name?.getText() ?? "";
        if (ts.isConstructorDeclaration(m) || seen.has(key)) continue;
        seen.add(key);
        out.push(m);
      }
      const base: ts.Expression | undefined = c.heritageClauses?.find(
        (h) => h.token === ts.SyntaxKind.ExtendsKeyword,
      )?.types[0]?.expression;
      const baseDecl: ts.Declaration | undefined =
        base && resolve(checker.getSymbolAtLocation(base))?.declarations?.[0];
      c = baseDecl && ts.isClassDeclaration(baseDecl) ? baseDecl : undefined;
    }
    return out;
  };

  // Whether `decl` reaches a hostcall, directly or through other SDK code.
  const reaches = new Map<ts.Node, boolean>();
  const reachesHostcall = (decl: ts.Node): boolean => {
    const known = reaches.get(decl);
    if (known !== undefined) return known;
    reaches.set(decl, false); // cycles end here
    let found = false;
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const target = resolve(checker.getSymbolAtLocation(node.expression));
        for (const d of target?.declarations ?? []) {
          const file = d.getSourceFile();
          if (isHostcallFile(file)) found = true;
          else if (!file.isDeclarationFile && reachesHostcall(d)) {
            found = true;
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(decl, visit);
    reaches.set(decl, found);
    return found;
  };

  const checkWrapper = (
    name: string,
    decl: ts.FunctionDeclaration | ts.MethodDeclaration,
    doc: string,
  ) => {
    if (CALLBACK.test(name.split(".").pop()!) || !reachesHostcall(decl)) return;
    wrappers.push(name);
    const type = decl.type?.getText().replace(/\s+/g, " ") ?? "(none)";
    const shortName = name.split(".").pop()!;
    if (PREDICATE.name.test(shortName) && PREDICATE.type.test(type)) {
      if (!PREDICATE.doc.test(doc)) report(name, decl, "a predicate's doc must say true/false");
      return;
    }
    const shape = SHAPES.find((s) => s.type.test(type));
    if (shape === undefined) {
      report(
        name,
        decl,
        `calls the host but returns ${type}: use WasmResult, T | null or Result<T> (README "Errors")`,
      );
    } else if (!shape.doc.test(doc)) {
      report(name, decl, `returns ${type}, so its doc comment must say ${shape.docSays}`);
    }
  };

  for (const { name, alias, symbol } of exported) {
    if (/_/.test(name)) report(name, symbol.declarations![0], "exported names are camelCase");
    for (const decl of symbol.declarations ?? []) {
      if (decl.getSourceFile().fileName.includes("/node_modules/")) {
        if (!documentedReexport(checker, alias)) {
          report(name, decl, "a re-exported library name needs a doc comment on its export");
        }
        continue;
      }
      // `export const x = …` documents the statement, not the variable declaration.
      const documented = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
      if (docOf(documented) === "") report(name, decl, "every export needs a doc comment");
      if (ts.isFunctionDeclaration(decl)) checkWrapper(name, decl, docOf(decl));
      if (ts.isClassDeclaration(decl)) {
        for (const member of membersOf(decl)) {
          if (!isPublicMember(member)) continue;
          const memberName = `${name}.${member.name!.getText()}`;
          const doc = docOf(member);
          if (doc === "") report(memberName, member, "every public member needs a doc comment");
          if (/_/.test(member.name!.getText())) {
            report(memberName, member, "public members are camelCase");
          }
          if (ts.isMethodDeclaration(member)) checkWrapper(memberName, member, doc);
        }
        // Fields declared as constructor parameters (`public readonly type: …`).
        const ctor = decl.members.find(ts.isConstructorDeclaration);
        for (const p of ctor?.parameters ?? []) {
          const flags = ts.getCombinedModifierFlags(p);
          if (!(flags & ts.ModifierFlags.Public) || flags & ts.ModifierFlags.Private) continue;
          if (docOf(p) === "" && !/@param|\/\*\*/.test(p.getFullText())) {
            report(`${name}.${p.name.getText()}`, p, "every public member needs a doc comment");
          }
        }
      }
      if (ts.isModuleDeclaration(decl) && decl.body && ts.isModuleBlock(decl.body)) {
        for (const s of decl.body.statements) {
          if (!ts.isFunctionDeclaration(s) || s.name === undefined) continue;
          const fn = `${name}.${s.name.text}`;
          if (docOf(s) === "") report(fn, s, "every export needs a doc comment");
          if (/_/.test(s.name.text)) report(fn, s, "exported names are camelCase");
          checkWrapper(fn, s, docOf(s));
        }
      }
    }
  }
  return { wrappers: wrappers.sort(), violations };
}

/** The exported names of the entry, sorted (for counting the public API). */
export function exportedNames(entry: string): string[] {
  const program = ts.createProgram([entry], { noLib: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => s.name)
    .sort();
}
