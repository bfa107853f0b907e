// Fuzzing a filter with generated Envoy traffic (see fuzz.ts).
export {
  fuzz,
  detectType,
  type FuzzOptions,
  type FuzzReport,
  type FuzzFailure,
  type FuzzRun,
} from "./fuzz.js";
export { formatFuzzReport } from "./report.js";
export type { FuzzCheck, AllowedErrors } from "./runner.js";
export type { Story, HttpStreamSpec, TcpConnectionSpec, HostEvent } from "./story.js";
export type { TraceStep } from "./trace.js";
