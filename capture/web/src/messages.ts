import { isNumber, isObject, isString, parseJsonObject, type Json } from './json-shape';
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

/** Reads a server message; anything that is not one of the kinds above, in its shape, is null (counted by the caller,
 * never fatal): a message the page would misread is not handed on. The station sends every field (defaults included). */
export function parseServerMessage(text: string): ServerMessage | null {
  const value = parseJsonObject(text);
  return value && hasShape(value) ? (value as unknown as ServerMessage) : null;
}

const isRun = (v: unknown): boolean => isObject(v) && isNumber(v['number']) && isString(v['state']) && isString(v['kind']);

function hasShape(m: Json): boolean {
  switch (m['type']) {
    case 'welcome':
      return isString(m['subject']) && (m['role'] === 'technician' || m['role'] === 'observer') && isNumber(m['leaseMs']) && isNumber(m['renewIntervalMs']);
    case 'status': {
      const status = m['status'];
      return isObject(status) && isString(status['exposureState']) && isNumber(status['objectsPending']) && isNumber(status['objectsCommitted']) &&
        Array.isArray(m['runs']) && m['runs'].every(isRun) && Array.isArray(m['outbox']) && m['outbox'].every((o) => isObject(o) && isString(o['id']) && isString(o['state']));
    }
    case 'ack':
      return isNumber(m['id']) && 'reply' in m;
    case 'refused':
      return (m['id'] === undefined || isNumber(m['id'])) && isString(m['status']) && isString(m['detail']);
    case 'held':
      return isNumber(m['id']) && isObject(m['reply']) && isRun(m['reply']['run']);
    case 'released':
      return isNumber(m['id']) && isObject(m['reply']) && isString(m['reply']['reason']);
    default:
      return false;
  }
}
