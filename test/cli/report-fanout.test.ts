import { describe, expect, it } from 'vitest';
import { fanOut } from '../../src/cli/report-fanout.ts';
import type { ReportDomain, ReportHeader, ReportStream } from '../../reports/types.ts';

const domain = (name: string): ReportDomain => ({ domain: name, results: [], artifacts: {} });

function counted(names: string[]): { stream: ReportStream; passes: () => number } {
  let passes = 0;
  return {
    passes: () => passes,
    stream: {
      header: {} as ReportHeader,
      async *domains() {
        passes++;
        for (const n of names) yield domain(n);
      },
    },
  };
}

const read = async (stream: ReportStream) => {
  const seen: string[] = [];
  for await (const d of stream.domains()) seen.push(d.domain);
  return seen;
};

describe('fanOut', () => {
  it('feeds every consumer every domain in order from one pass', async () => {
    const { stream, passes } = counted(['a', 'b', 'c']);
    const got: string[][] = [];
    await fanOut(stream, [async (s) => { got.push(await read(s)); }, async (s) => { got.push(await read(s)); }]);
    expect(got).toEqual([['a', 'b', 'c'], ['a', 'b', 'c']]);
    expect(passes()).toBe(1);
  });

  it('gives a consumer that reads twice (a section per pass) the whole report again', async () => {
    const { stream, passes } = counted(['a', 'b']);
    let twice: string[][] = [];
    let once: string[] = [];
    await fanOut(stream, [async (s) => { twice = [await read(s), await read(s)]; }, async (s) => { once = await read(s); }]);
    expect(twice).toEqual([['a', 'b'], ['a', 'b']]);
    expect(once).toEqual(['a', 'b']);
    expect(passes()).toBe(2);
  });

  it('does not wait for a consumer that stopped reading early', async () => {
    const { stream } = counted(['a', 'b', 'c']);
    let all: string[] = [];
    await fanOut(stream, [async (s) => { for await (const _ of s.domains()) return; }, async (s) => { all = await read(s); }]);
    expect(all).toEqual(['a', 'b', 'c']);
  });
});

describe('fanOut when something fails', () => {
  it('fails every consumer when the report cannot be read to the end, so none seals a partial report', async () => {
    const broken: ReportStream = {
      header: {} as ReportHeader,
      async *domains() { yield domain('a'); throw new Error('damaged journal line'); },
    };
    const ends: string[] = [];
    const consumer = async (s: ReportStream) => { await read(s); ends.push('finished'); };
    await expect(fanOut(broken, [consumer, consumer])).rejects.toThrow('damaged journal line');
    expect(ends).toEqual([]);
  });

  it('waits for every consumer before it rejects with the first failure', async () => {
    const { stream } = counted(['a', 'b', 'c']);
    let slowDone = false;
    await expect(fanOut(stream, [
      async () => { throw new Error('writer failed'); },
      async (s) => { await read(s); await new Promise((r) => setTimeout(r, 30)); slowDone = true; },
    ])).rejects.toThrow('writer failed');
    expect(slowDone).toBe(true);
  });
});
