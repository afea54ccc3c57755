import { deserialize, serialize, type Document } from 'bson';

/** Op codes of the MongoDB wire protocol that the engine understands. */
export const OpCode = { REPLY: 1, QUERY: 2004, COMPRESSED: 2012, MSG: 2013 } as const;

export const HEADER_SIZE = 16;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
const QUERY_FAILURE_FLAG = 1 << 1;

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A client command decoded from OP_MSG or from a legacy OP_QUERY on `<db>.$cmd`. */
export interface IncomingCommand {
  header: MessageHeader;
  kind: 'msg' | 'query';
  /** The command body; for OP_MSG, document sequences are merged in as arrays. */
  body: Document;
  /** OP_MSG with moreToCome: the client expects no reply (unacknowledged write). */
  moreToCome: boolean;
  /** OP_QUERY only: the namespace's database (`admin` for `admin.$cmd`). */
  database?: string;
}

/** Thrown for bytes that are not a valid message; the connection is closed after it. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** BSON decoding options shared by every incoming document. */
const DESERIALIZE_OPTIONS = { promoteLongs: true, promoteValues: true } as const;

export function readHeader(buffer: Buffer): MessageHeader {
  return {
    messageLength: buffer.readInt32LE(0),
    requestId: buffer.readInt32LE(4),
    responseTo: buffer.readInt32LE(8),
    opCode: buffer.readInt32LE(12),
  };
}

function readDocument(
  buffer: Buffer,
  offset: number,
  end: number,
): { doc: Document; next: number } {
  if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document length');
  try {
    return {
      doc: deserialize(buffer.subarray(offset, offset + size), DESERIALIZE_OPTIONS),
      next: offset + size,
    };
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`);
  }
}

function readCString(buffer: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buffer.indexOf(0, offset);
  if (zero === -1 || zero >= end) throw new ProtocolError('unterminated string');
  return { value: buffer.toString('utf8', offset, zero), next: zero + 1 };
}

/** Decodes one complete message (header included). */
export function decodeMessage(message: Buffer): IncomingCommand {
  const header = readHeader(message);
  const end = message.length;
  if (header.opCode === OpCode.MSG) {
    const flags = message.readUInt32LE(HEADER_SIZE);
    const sectionsEnd = flags & MSG_CHECKSUM_PRESENT ? end - 4 : end;
    let offset = HEADER_SIZE + 4;
    let body: Document | undefined;
    const sequences: [string, Document[]][] = [];
    while (offset < sectionsEnd) {
      const kind = message.readUInt8(offset);
      offset += 1;
      if (kind === 0) {
        if (body) throw new ProtocolError('OP_MSG with more than one body section');
        const read = readDocument(message, offset, sectionsEnd);
        body = read.doc;
        offset = read.next;
      } else if (kind === 1) {
        if (offset + 4 > sectionsEnd) throw new ProtocolError('truncated document sequence');
        const sectionEnd = offset + message.readInt32LE(offset);
        if (sectionEnd > sectionsEnd || sectionEnd <= offset + 4) {
          throw new ProtocolError('invalid document sequence length');
        }
        const name = readCString(message, offset + 4, sectionEnd);
        const documents: Document[] = [];
        let cursor = name.next;
        while (cursor < sectionEnd) {
          const read = readDocument(message, cursor, sectionEnd);
          documents.push(read.doc);
          cursor = read.next;
        }
        sequences.push([name.value, documents]);
        offset = sectionEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [name, documents] of sequences) body[name] = documents;
    return { header, kind: 'msg', body, moreToCome: (flags & MSG_MORE_TO_COME) !== 0 };
  }
  if (header.opCode === OpCode.QUERY) {
    let offset = HEADER_SIZE + 4; // flags
    const namespace = readCString(message, offset, end);
    offset = namespace.next + 8; // numberToSkip, numberToReturn
    const query = readDocument(message, offset, end).doc;
    const dot = namespace.value.indexOf('.');
    const database = dot === -1 ? namespace.value : namespace.value.slice(0, dot);
    const collection = dot === -1 ? '' : namespace.value.slice(dot + 1);
    if (collection !== '$cmd') {
      throw new ProtocolError('legacy OP_QUERY is only supported for commands ($cmd)');
    }
    // Old drivers wrap the command as {$query: {...}, $readPreference: ...}.
    const wrapped = query.$query as Document | undefined;
    const body = wrapped !== undefined && typeof wrapped === 'object' ? wrapped : query;
    return { header, kind: 'query', body, moreToCome: false, database };
  }
  throw new ProtocolError(`unsupported op code ${header.opCode}`);
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(HEADER_SIZE);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

const SERIALIZE_OPTIONS = { ignoreUndefined: true } as const;

/** An OP_MSG reply with a single body section. */
export function encodeMsgReply(responseTo: number, reply: Document): Buffer {
  const body = serialize(reply, SERIALIZE_OPTIONS);
  const flagsAndKind = Buffer.alloc(5); // flagBits = 0, section kind 0
  const length = HEADER_SIZE + flagsAndKind.length + body.length;
  return Buffer.concat([header(length, responseTo, OpCode.MSG), flagsAndKind, body], length);
}

/** An OP_REPLY (answer to a legacy OP_QUERY) carrying one document. */
export function encodeLegacyReply(
  responseTo: number,
  reply: Document,
  queryFailure = false,
): Buffer {
  const body = serialize(reply, SERIALIZE_OPTIONS);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(queryFailure ? QUERY_FAILURE_FLAG : 0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  const length = HEADER_SIZE + fields.length + body.length;
  return Buffer.concat([header(length, responseTo, OpCode.REPLY), fields, body], length);
}
