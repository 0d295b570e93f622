/**
 * A minimal protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/),
 * enough for tests to decode what an OTLP exporter sent without a generated decoder.
 */
export type Fields = Map<number, Buffer[] | bigint[]>;

/** Fields of one message: varints as bigint, everything else as the raw bytes. */
export function decodeMessage(buffer: Buffer): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  const push = (field: number, value: Buffer | bigint): void => {
    const list = fields.get(field) ?? [];
    (list as (Buffer | bigint)[]).push(value);
    fields.set(field, list as Buffer[] | bigint[]);
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        push(field, varint());
        break;
      case 1:
        push(field, buffer.subarray(offset, (offset += 8)));
        break;
      case 2: {
        const length = Number(varint());
        push(field, buffer.subarray(offset, (offset += length)));
        break;
      }
      case 5:
        push(field, buffer.subarray(offset, (offset += 4)));
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return fields;
}

/** Embedded messages (or strings/bytes) of a field. */
export function bytes(fields: Fields, field: number): Buffer[] {
  return (fields.get(field) ?? []) as Buffer[];
}

export function messages(fields: Fields, field: number): Fields[] {
  return bytes(fields, field).map(decodeMessage);
}

export function string(fields: Fields, field: number): string {
  return bytes(fields, field)[0]?.toString('utf8') ?? '';
}

export function varint(fields: Fields, field: number): number {
  return Number(((fields.get(field) ?? []) as bigint[])[0] ?? 0n);
}

export function fixed64(fields: Fields, field: number): number {
  const raw = bytes(fields, field)[0];
  return raw === undefined ? 0 : Number(raw.readBigUInt64LE(0));
}

export function double(fields: Fields, field: number): number | undefined {
  return bytes(fields, field)[0]?.readDoubleLE(0);
}

/** A packed repeated fixed64 field. */
export function packedFixed64(fields: Fields, field: number): number[] {
  const out: number[] = [];
  for (const raw of bytes(fields, field)) for (let i = 0; i < raw.length; i += 8) out.push(Number(raw.readBigUInt64LE(i)));
  return out;
}

/** A packed repeated double field. */
export function packedDouble(fields: Fields, field: number): number[] {
  const out: number[] = [];
  for (const raw of bytes(fields, field)) for (let i = 0; i < raw.length; i += 8) out.push(raw.readDoubleLE(i));
  return out;
}
