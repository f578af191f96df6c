// The console WebSocket's messages (docs/web-console.md). Payloads are the protobuf JSON mapping of
// capture/protos/station_control.proto: lowerCamelCase fields, enums by name, 64-bit integers as strings.

export interface RunInfo {
  number: number;
  protocol: string;
  kind: string;
  state: string;
  pulses: number;
  frames: number;
  referenceAirKermaMgy: number;
  objectPath?: string;
  failure?: string;
}

export interface ExamInfo {
  examId: string;
  patientName: string;
  patientId: string;
  accessionNumber: string;
  emergency: boolean;
  open: boolean;
  recordedRuns: number;
}

export interface StatusReply {
  exposureState: string;
  selectedProtocol?: string;
  exam?: ExamInfo;
  currentRun?: RunInfo;
  technique?: { kv: number; ma: number; pulseWidthMs: number; pulseRate: number };
  airKermaRateMgyPerMin: number;
  referenceAirKermaMgy: number;
  doseAreaProductGyCm2: number;
  fluoroTimeSeconds: number;
  fluoroAlert: boolean;
  tubeHeatPercent: number;
  framesRecorded: number;
  objectsPending: number;
  objectsCommitted: number;
  objectsFailed: number;
  lastAlert?: string;
  generatorConnected: boolean;
  calibrationWarning?: string;
}

export interface OutboxItem {
  id: string;
  description: string;
  destination: string;
  state: string;
  attempts: number;
  lastError?: string;
}

export interface ProtocolInfo {
  name: string;
  description: string;
  kind: string;
  recorded: boolean;
}

export interface WorklistEntry {
  id: string;
  patientName: string;
  patientId: string;
  requestedProcedure: string;
}

export type ServerMessage =
  | { type: 'welcome'; subject: string; role: 'technician' | 'observer'; leaseMs: number; renewIntervalMs: number }
  | { type: 'status'; status: StatusReply; runs: RunInfo[]; outbox: OutboxItem[] }
  | { type: 'ack'; id: number; reply: unknown }
  | { type: 'refused'; id?: number; status: string; detail: string; malformed?: number }
  | { type: 'held'; id: number; reply: { run: RunInfo; leaseMs: number; renewIntervalMs: number } }
  | { type: 'released'; id: number; reply: { run: RunInfo; reason: string } };

/** Reads a server message; anything that is not one of the kinds above is null (counted by the caller, never fatal). */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  return ['welcome', 'status', 'ack', 'refused', 'held', 'released'].includes(type as string) ? (value as ServerMessage) : null;
}
