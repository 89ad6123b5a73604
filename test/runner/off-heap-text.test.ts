import { describe, expect, it } from 'vitest';
import { offHeapUtf8 } from '../../src/runner/off-heap-text.ts';

// Text held outside V8's heap (src/runner/off-heap-text.ts): the kept facts and the reorder buffer hold theirs so.
describe('offHeapUtf8', () => {
  it.each([
    ['', 0],
    ['ascii', 5],
    ['snow \u2603', 8], // a 3-byte character
    ['lock \u{1F512}', 9], // a 4-byte character, two UTF-16 units
  ])('holds %j as its UTF-8 bytes (%i), in a buffer of its own', (text, length) => {
    const bytes = offHeapUtf8(text);
    expect(bytes.length).toBe(length);
    expect(bytes.toString('utf8')).toBe(text);
    // Not a slice of Node's shared pool, which a small Buffer.from would be: that slab would live as long as the text.
    expect(bytes.buffer.byteLength).toBe(length);
  });

  it('is not what a small Buffer.from gives: a slice of a shared slab', () => {
    expect(Buffer.from('ascii', 'utf8').buffer.byteLength).toBeGreaterThan(5);
    expect(offHeapUtf8('ascii').buffer.byteLength).toBe(5);
  });

  it('takes a byte length the caller measured already', () => {
    expect(offHeapUtf8('snow \u2603', 8).toString('utf8')).toBe('snow \u2603');
  });
});
