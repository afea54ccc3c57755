import { serialize } from 'bson';
import {
  decodeMessage,
  encodeMsgReply,
  OpCode,
  ProtocolError,
  readHeader,
} from './wire-protocol.js';

function opMsg(
  body: Record<string, unknown>,
  sequences: [string, Record<string, unknown>[]][] = [],
): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), Buffer.from(serialize(body))];
  for (const [name, docs] of sequences) {
    const payload = Buffer.concat([
      Buffer.from(`${name}\0`),
      ...docs.map((doc) => Buffer.from(serialize(doc))),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat(parts);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + rest.length, 0);
  header.writeInt32LE(7, 4);
  header.writeInt32LE(OpCode.MSG, 12);
  return Buffer.concat([header, rest]);
}

describe('wire protocol', () => {
  it('merges OP_MSG document sequences into the command body', () => {
    const decoded = decodeMessage(
      opMsg({ insert: 'c', $db: 'd' }, [['documents', [{ a: 1 }, { a: 2 }]]]),
    );
    expect(decoded.body).toEqual({ insert: 'c', $db: 'd', documents: [{ a: 1 }, { a: 2 }] });
    expect(decoded.header.requestId).toBe(7);
  });

  it('encodes a reply that answers the request id', () => {
    const reply = encodeMsgReply(7, { ok: 1 });
    const header = readHeader(reply);
    expect(header).toMatchObject({
      messageLength: reply.length,
      responseTo: 7,
      opCode: OpCode.MSG,
    });
    expect(decodeMessage(reply).body).toEqual({ ok: 1 });
  });

  it('rejects malformed messages with a ProtocolError', () => {
    const message = opMsg({ ping: 1 });
    message.writeUInt8(5, 20); // unknown section kind
    expect(() => decodeMessage(message)).toThrow(ProtocolError);
    const truncated = opMsg({ ping: 1 }).subarray(0, 24);
    truncated.writeInt32LE(24, 0);
    expect(() => decodeMessage(truncated)).toThrow(ProtocolError);
    const unknownOp = opMsg({ ping: 1 });
    unknownOp.writeInt32LE(2010, 12);
    expect(() => decodeMessage(unknownOp)).toThrow(/unsupported op code/);
  });
});
