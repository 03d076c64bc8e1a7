import { readAvroFile, writeAvroFile } from '../../../../core/iceberg/avro';
import { snappyUncompress } from '../../../../core/iceberg/avro/snappy';

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('avro codecs', () => {
  it('decompresses snappy literals and overlapping copies', () => {
    // "abcabcabcabcX": literal "abc", copy len 9 offset 3 (1-byte offset form), literal "X"
    const src = Uint8Array.from([13, (3 - 1) << 2, 97, 98, 99, 1 | ((9 - 4) << 2), 3, 0, 88]);
    expect(Buffer.from(snappyUncompress(src)).toString()).toBe('abcabcabcabcX');
  });

  it('reads a container file whose blocks are snappy-compressed', () => {
    const schema = { type: 'record', name: 'r', fields: [{ name: 's', type: 'string', 'field-id': 1 }] };
    const plain = writeAvroFile([{ s: 'hello' }, { s: 'world' }], { schema, codec: 'null' });
    // Re-wrap the one block: uncompressed literal-only snappy + CRC, same count, same sync.
    const buf = Buffer.from(plain);
    const sync = buf.subarray(buf.length - 16);
    const headerEnd = buf.indexOf(sync);
    const body = buf.subarray(headerEnd + 16 + 2, buf.length - 16); // count=2 (1 byte), size (1 byte)
    const snappy = Buffer.concat([Buffer.from([body.length, (body.length - 1) << 2]), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    const block = Buffer.concat([snappy, crc]);
    // The header's codec value "null" (length byte 8 = zig-zag 4) becomes "snappy" (12 = zig-zag 6).
    const header = buf.subarray(0, headerEnd);
    const codecAt = header.indexOf('null');
    const patchedHeader = Buffer.concat([
      header.subarray(0, codecAt - 1),
      Buffer.from([12]),
      Buffer.from('snappy'),
      header.subarray(codecAt + 4),
    ]);
    const file = Buffer.concat([patchedHeader, sync, Buffer.from([4, block.length * 2]), block, sync]);
    expect(readAvroFile(file, 'x.avro').records).toEqual([{ s: 'hello' }, { s: 'world' }]);
  });

  it('names an unsupported codec', () => {
    const schema = { type: 'record', name: 'r', fields: [{ name: 's', type: 'string' }] };
    const buf = Buffer.from(writeAvroFile([{ s: 'a' }], { schema, codec: 'null' }));
    const at = buf.indexOf('null');
    const bad = Buffer.concat([buf.subarray(0, at), Buffer.from('lzo!'), buf.subarray(at + 4)]);
    expect(() => readAvroFile(bad, 'y.avro')).toThrow(/invalid avro file y\.avro: unsupported avro codec 'lzo!'/);
  });
});
