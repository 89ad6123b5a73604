import { readFile } from 'node:fs/promises';
import { NotInLayout, readLayout } from '../../reports/json-file.ts';
import { createReportDigest, judgeSeal, verifyReport, type ReportDigest, type VerifyOutcome } from './integrity.ts';

/**
 * Verifies a report file (`vouch verify`). A schema-2 file in the JSON writer's line layout is read a line at a
 * time, hashing each domain entry as it passes, so a report of any size verifies in memory bounded by its largest
 * domain. Any other file (schema 1, a hand-edited or re-indented one) is read whole and verified as text, which is
 * fine for the sizes such files reach; one too large for that is reported, not guessed at. Errors reading the file
 * (ENOENT and the like) are thrown for the caller to word.
 */
export async function verifyReportFile(path: string, publicKeyPem?: string): Promise<VerifyOutcome> {
  try {
    const streamed = await verifyStreamed(path, publicKeyPem);
    if (streamed !== null) return streamed;
  } catch (err) {
    if (!(err instanceof NotInLayout)) throw err;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ERR_STRING_TOO_LONG' && code !== 'ERR_FS_FILE_TOO_LARGE') throw err;
    const problem = "not in the JSON writer's line layout (docs/report-schema.md), and too large to read whole";
    return { ok: false, problems: [problem], digest: null, signed: false };
  }
  return verifyReport(text, publicKeyPem);
}

/** The outcome for a schema-2 file in the writer's layout; null for a file in the layout but of another schema. */
async function verifyStreamed(path: string, publicKeyPem: string | undefined): Promise<VerifyOutcome | null> {
  let digest: ReportDigest | null = null;
  for await (const part of readLayout(path)) {
    if (part.kind === 'header') {
      if (part.value['schemaVersion'] !== 2) return null;
      digest = createReportDigest(part.value);
    } else if (part.kind === 'domain') {
      let entry: unknown;
      try {
        entry = JSON.parse(part.bytes.toString('utf8'));
      } catch {
        throw new NotInLayout('a domain line does not parse');
      }
      digest!.add(entry);
    } else {
      // The members after the domains (status, summary...: known only at the end of a scan) hash after "domains".
      const { digest: claimedDigest, signature, ...late } = part.value;
      if (Object.keys(late).some((key) => key < 'domains')) throw new NotInLayout('a member after the domains sorts before them');
      return judgeSeal({
        schemaVersion: 2, claimedDigest, signature, digest: digest!.finish(late),
        canonicalText: () => { throw new Error('schema 2 signs the digest, not the text'); },
      }, publicKeyPem);
    }
  }
  throw new NotInLayout('no seal part');
}
