// A small YAML writer for JSON-shaped values (what Kubernetes and Envoy configs are).
// Strings that could read as anything else are written double-quoted with JSON escapes,
// which YAML accepts as-is.

const plain = /^[A-Za-z0-9_/.][A-Za-z0-9_./@:+-]*$/;
// Words YAML 1.1 or 1.2 reads as booleans or null, and anything that starts like a number
// (ints, floats, dates, sexagesimal "12:30"): always quoted.
const ambiguous = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?\.?[0-9].*|[-+]?\.(?:inf|nan))$/is;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === "string") {
    if (
      plain.test(value) &&
      !ambiguous.test(value) &&
      !value.includes(": ") &&
      !value.endsWith(":")
    ) {
      return value;
    }
    return JSON.stringify(value);
  }
  throw new Error(`cannot write a ${typeof value} as YAML`);
}

function isCollection(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        const inner = lines(item, indent + "  ");
        out.push(`${indent}- ${inner[0].slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        out.push(
          `${indent}- ${isCollection(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`,
        );
      }
    }
    return out;
  }
  if (isCollection(value)) {
    const out: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const k = scalar(key);
      if (isCollection(item) && !isEmpty(item)) {
        out.push(`${indent}${k}:`);
        out.push(...lines(item, Array.isArray(item) ? indent : indent + "  "));
      } else {
        out.push(
          `${indent}${k}: ${isCollection(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`,
        );
      }
    }
    return out;
  }
  return [indent + scalar(value)];
}

/** Writes a JSON-shaped value as a YAML document (block style, two-space indent). */
export function toYaml(value: unknown): string {
  if (isCollection(value) && isEmpty(value)) return (Array.isArray(value) ? "[]" : "{}") + "\n";
  return lines(value, "").join("\n") + "\n";
}
