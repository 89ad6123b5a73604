import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandLineDomains, domainLines, MAX_MESSAGES, readDomainSources, readDomainText } from '../../src/cli/domain-input.ts';
import { ExitError } from '../../src/core/errors.ts';
import { Capture } from '../support/cli.ts';

describe('readDomainText: one domain as an operator pastes it', () => {
  it.each([
    ['example.nl', 'example.nl', null],
    ['  Example.NL.  ', 'example.nl', null],
    ['https://example.nl/privacy?x=1#top', 'example.nl', '"https://example.nl/privacy?x=1#top" is a URL: scanning its host example.nl'],
    ['https://user:pw@WWW.example.nl:8443/', 'www.example.nl', '"https://user:pw@WWW.example.nl:8443/" is a URL: scanning its host www.example.nl'],
    ['example.nl/path', 'example.nl', '"example.nl/path" is a URL: scanning its host example.nl'],
    ['bücher.nl', 'xn--bcher-kva.nl', '"bücher.nl" is scanned as its A-label form xn--bcher-kva.nl'],
    ['münchen。de', 'xn--mnchen-3ya.de', '"münchen。de" is scanned as its A-label form xn--mnchen-3ya.de'],
    // URL percent-encodes the host of a scheme it does not know; the host as written is converted instead.
    ['smtp://bücher.nl', 'xn--bcher-kva.nl', '"smtp://bücher.nl" is a URL: scanning its host xn--bcher-kva.nl; "bücher.nl" is scanned as its A-label form xn--bcher-kva.nl'],
    ['xn--bcher-kva.nl', 'xn--bcher-kva.nl', null],
  ])('%s -> %s', (text, domain, note) => {
    expect(readDomainText(text)).toEqual({ ok: true, domain, note });
  });

  it.each([
    ['', 'empty domain name'],
    ['not_a domain', '"not_a domain" is not a domain name'],
    ['localhost', '"localhost" is not a domain name'],
    ['192.0.2.1', '"192.0.2.1" is not a domain name'],
    ['http://[2001:db8::1]/', '"http://[2001:db8::1]/" is not a domain name'],
    ['https://exa mple.nl/', '"https://exa mple.nl/" is not a domain name or a URL'],
    ['ab_c.ü.nl', '"ab_c.ü.nl" is not a domain name'],
    ['xn--zz.ü', '"xn--zz.ü" is not a valid internationalised domain name'],
  ])('%j is refused', (text, problem) => {
    expect(readDomainText(text)).toEqual({ ok: false, problem });
  });
});

describe('readDomainSources and domainLines', () => {
  it('skips comments and blank lines, says where each note and problem is, and scans a repeat once', () => {
    const file = '# estate\nexample.nl\n\n  https://example.nl/contact  # the same site\nbad name\nwww.example.nl\r\n';
    expect(readDomainSources(domainLines(file, 'domains.txt'))).toEqual({
      domains: ['example.nl', 'www.example.nl'],
      notes: [
        'domains.txt:4: "https://example.nl/contact" is a URL: scanning its host example.nl',
        'domains.txt:4: example.nl is already listed (domains.txt:2): scanned once',
      ],
      problems: ['domains.txt:5: "bad name" is not a domain name'],
    });
  });

  it('lists at most MAX_MESSAGES notes and counts the rest', () => {
    const sources = Array.from({ length: MAX_MESSAGES + 5 }, (_, i) => ({ text: `https://d${i}.example.nl/`, where: `f:${i + 1}` }));
    const list = readDomainSources(sources);
    expect(list.domains).toHaveLength(MAX_MESSAGES + 5);
    expect(list.notes).toHaveLength(MAX_MESSAGES + 1);
    expect(list.notes.at(-1)).toBe('... and 5 more notes like these');
  });
});

describe('commandLineDomains', () => {
  const io = (stdinText?: string) => {
    const stderr = new Capture();
    return { stderr, io: { stdout: new Capture(), stderr, cwd: '/', ...(stdinText === undefined ? {} : { stdin: Readable.from([stdinText]) }) } };
  };

  it('puts the positional domains first, then those of --input - (stdin), with notes on stderr', async () => {
    const { io: cli, stderr } = io('b.example.nl\nhttps://a.example.nl/\n');
    expect(await commandLineDomains(['a.example.nl'], '-', cli, false)).toEqual(['a.example.nl', 'b.example.nl']);
    expect(stderr.text).toBe('vouch: note: stdin:2: "https://a.example.nl/" is a URL: scanning its host a.example.nl\n'
      + 'vouch: note: stdin:2: a.example.nl is already listed (argument 1): scanned once\n');
  });

  it('keeps notes off stderr under --quiet', async () => {
    const { io: cli, stderr } = io();
    expect(await commandLineDomains(['https://a.example.nl/'], undefined, cli, true)).toEqual(['a.example.nl']);
    expect(stderr.text).toBe('');
  });

  it.each([
    [['x.example.nl', 'bad name'], undefined, undefined, 'invalid domain on the command line:\n  - argument 2: "bad name" is not a domain name'],
    [[], '-', '# only a comment\n\n', '--input stdin: no domains in it'],
    [[], '/nonexistent/domains.txt', undefined, '--input /nonexistent/domains.txt: cannot be read: ENOENT'],
  ])('refuses %j --input %s with exit 64', async (positional, input, stdinText, message) => {
    const error = await commandLineDomains(positional, input, io(stdinText).io, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect(error).toMatchObject({ exitCode: 64, message: expect.stringContaining(message) });
  });
});
