import { readFile } from 'node:fs/promises';
import type { RngState } from '../../core/random';
import { atomicWrite } from '../io/images';
import type { ArchOptions } from '../models/registry';
import type { ParamValues } from '../models/tf-network';

/**
 * One self-describing binary file: magic line, a uint32 header length, a JSON header, then the
 * float32 blobs the header indexes. Holds the weights and, while training runs, the optimiser
 * moments, step and RNG state, so `--resume` continues bit for bit. Written atomically.
 */
const MAGIC = 'GRIDS-CKPT-1\n';

export interface TrainingState {
  step: number;
  rngState: RngState;
  /** Adam first and second moments per parameter. */
  m: ParamValues;
  v: ParamValues;
}

export interface CheckpointMeta {
  arch: string;
  archOptions: ArchOptions;
  /** What the model was trained for: degradation ids, or 'bicubic-sr' for the descriptor. */
  tasks: string[] | 'bicubic-sr';
  /** The full training configuration, so a resume can check it is continuing the same run. */
  config: Record<string, unknown>;
  createdAt: string;
  /** Training steps done and wall time spent, for reports. */
  stepsDone: number;
  trainSeconds: number;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  params: ParamValues;
  /** Absent in a finished model's weights-only file. */
  training?: TrainingState;
}

interface BlobIndex { name: string; offset: number; length: number }

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const blobs: { key: string; data: Float32Array }[] = [];
  for (const [name, data] of Object.entries(checkpoint.params)) blobs.push({ key: `param:${name}`, data });
  if (checkpoint.training) {
    for (const [name, data] of Object.entries(checkpoint.training.m)) blobs.push({ key: `m:${name}`, data });
    for (const [name, data] of Object.entries(checkpoint.training.v)) blobs.push({ key: `v:${name}`, data });
  }
  let offset = 0;
  const index: BlobIndex[] = blobs.map(({ key, data }) => {
    const entry = { name: key, offset, length: data.length };
    offset += data.length;
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({
    meta: checkpoint.meta,
    training: checkpoint.training ? { step: checkpoint.training.step, rngState: checkpoint.training.rngState } : null,
    index,
  }));
  const magic = new TextEncoder().encode(MAGIC);
  // Pad so the float data starts 4-byte aligned and can be viewed without copying.
  const headerEnd = magic.length + 4 + header.length;
  const padding = (4 - (headerEnd % 4)) % 4;
  const out = new Uint8Array(headerEnd + padding + offset * 4);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.length, header.length + padding, true);
  out.set(header, magic.length + 4);
  out.fill(0x20, headerEnd, headerEnd + padding); // spaces: still valid JSON whitespace
  const floats = new Float32Array(out.buffer, headerEnd + padding, offset);
  blobs.forEach(({ data }, i) => floats.set(data, index[i].offset));
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error(`${source} is not a GRIDS checkpoint (bad magic)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, dataStart))) as {
    meta: CheckpointMeta;
    training: { step: number; rngState: RngState } | null;
    index: BlobIndex[];
  };
  const aligned = new Uint8Array(bytes.length - dataStart);
  aligned.set(bytes.subarray(dataStart));
  const floats = new Float32Array(aligned.buffer);
  const params: ParamValues = {}, m: ParamValues = {}, v: ParamValues = {};
  for (const { name, offset, length } of header.index) {
    if (offset + length > floats.length) throw new Error(`${source} is truncated (blob ${name})`);
    const data = floats.slice(offset, offset + length);
    const [kind, key] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
    (kind === 'param' ? params : kind === 'm' ? m : v)[key] = data;
  }
  return {
    meta: header.meta,
    params,
    training: header.training ? { step: header.training.step, rngState: header.training.rngState, m, v } : undefined,
  };
}

export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await atomicWrite(path, encodeCheckpoint(checkpoint));
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read checkpoint ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return decodeCheckpoint(bytes, path);
}
