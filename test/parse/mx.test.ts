import { describe, expect, it } from 'vitest';
import { parseMxRecords } from '../../src/parse/mx.ts';

describe('parseMxRecords', () => {
  it('sorts by preference and normalises host names', () => {
    expect(parseMxRecords(['20 MX2.Example.NL', '10 mx1.example.nl.'])).toEqual({
      records: [{ preference: 10, exchange: 'mx1.example.nl' }, { preference: 20, exchange: 'mx2.example.nl' }],
      nullMx: false, mixedNullMx: false, malformed: [],
    });
  });

  it.each([
    { records: ['0 .'], nullMx: true, mixedNullMx: false },      // RFC 7505 3
    { records: ['0 '], nullMx: true, mixedNullMx: false },       // the probe stripped the root's only dot
    { records: ['0'], nullMx: true, mixedNullMx: false },
    { records: ['0 .', '10 mx.example.nl'], nullMx: false, mixedNullMx: true }, // RFC 7505 3 forbids mixing
    { records: [], nullMx: false, mixedNullMx: false },
  ])('$records -> nullMx $nullMx', ({ records, nullMx, mixedNullMx }) => {
    expect(parseMxRecords(records)).toMatchObject({ nullMx, mixedNullMx, malformed: [] });
  });

  it.each([['mx.example.nl'], ['70000 mx.example.nl'], ['10 two hosts']])('lists %s as malformed', (record) => {
    expect(parseMxRecords([record]).malformed).toEqual([record]);
  });
});
