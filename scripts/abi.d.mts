// Types of scripts/abi.mjs (the ABI table) for the tests that read it.

export type ValType = "i32" | "i64" | "f32" | "f64";

export interface Signature {
  params: { name: string; type: ValType }[];
  results: ValType[];
}

export interface Member {
  name: string;
  value: number;
  doc?: string;
  hostDoc?: string;
  solo?: string;
}

export interface Enum {
  name: string;
  doc: string;
  hostDoc?: string;
  members: Member[];
  soloAliases?: { name: string; value: number }[];
}

export interface Callback extends Signature {
  older?: Record<string, Signature>;
}

export interface Hostcall extends Signature {
  abi: string[];
  runtime?: boolean;
  duringStart?: boolean;
  inAllocator?: boolean;
}

export const ABI_VERSIONS: string[];
export const SDK_ABI_VERSION: string;
export function abiMarker(version: string): string;
export const ENUMS: Enum[];
export const CALLBACKS: Record<string, Callback>;
export const ENTRY_POINTS: Record<string, Signature>;
export function callbacks(version: string): Record<string, Signature>;
export const HOSTCALLS: Record<string, Hostcall>;
export function hostcalls(version: string): Record<string, Hostcall>;
export const WASI_MODULES: string[];
export const WASI_HOSTCALLS: Record<
  string,
  Signature & { duringStart?: boolean; inAllocator?: boolean }
>;
export const GENERATED: { target: string; lines: () => string[] }[];
export function render(target: string): Promise<string>;
export function checkTable(): void;
