import { fullOffer, type HelloVersion } from './hello.ts';
import { readAnswer, suiteLabel, type AskContext } from './enumerate-context.ts';

/**
 * Server preference per version (issue 9; internet.nl's and sslyze's question): does the server choose by its own
 * order, and what is that order. The elimination already offered every suite in one order (the registry's) and
 * recorded the server's picks; one more hello offers the accepted suites in the reverse of that sequence.
 * - The server picks the sequence's first again: it enforces its own order, and the sequence IS its order (each
 *   elimination hello asked "your favourite among these", and all accepted suites were on offer).
 * - It picks the reversed offer's first: it follows the client's order ("client"; no server order to report).
 * - Anything else (or split offers, whose sequence is per part): it enforces an order that the sequence does not
 *   show, so the order is read by elimination over the accepted suites, starting with this pick.
 */
export type OrderFacts = {
  readonly serverOrder: 'server' | 'client' | null;
  /** The server's order (codes), when it enforces one. */
  readonly order: readonly number[] | null;
  readonly problems: readonly string[];
};

export async function probeOrder(ctx: AskContext, version: HelloVersion, sequence: readonly number[], split: boolean): Promise<OrderFacts> {
  if (sequence.length < 2) return { serverOrder: null, order: null, problems: [] };
  const base = fullOffer(version, ctx.serverName);
  const pick = async (suites: readonly number[]): Promise<number | string> => {
    const verdict = readAnswer(await ctx.ask({ kind: 'tls', hello: { ...base, suites }, stopAfter: 'server-hello' }), version);
    if (verdict.kind !== 'chosen') return `${version} order: ${verdict.detail} to a hello of suites it accepted before`;
    if (!suites.includes(verdict.code)) return `${version} order: the server chose ${suiteLabel(verdict.code)}, which was not offered`;
    return verdict.code;
  };
  const reversed = [...sequence].reverse();
  const first = await pick(reversed);
  if (typeof first === 'string') return { serverOrder: null, order: null, problems: [first] };
  if (first === reversed[0]) return { serverOrder: 'client', order: null, problems: [] };
  if (first === sequence[0] && !split) return { serverOrder: 'server', order: sequence, problems: [] };
  const order = [first];
  let remaining = sequence.filter((code) => code !== first);
  for (let round = 0; remaining.length > 1 && round <= sequence.length; round++) {
    const next = await pick(remaining);
    if (typeof next === 'string') return { serverOrder: 'server', order: null, problems: [next] };
    order.push(next);
    remaining = remaining.filter((code) => code !== next);
  }
  return { serverOrder: 'server', order: [...order, ...remaining], problems: [] };
}
