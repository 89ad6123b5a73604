import { readFile, stat } from 'node:fs/promises';
import { ProbeError } from '../core/errors.ts';
import { parseVrpExport, VrpIndex } from './origin-validation.ts';

/** Loaded exports by path and modification time: a run reads its file once, and a replaced file is read again. */
const loaded = new Map<string, Promise<VrpIndex>>();

/**
 * The VRP index of the export at `path`. An unreadable or malformed file is the operator's to fix, never a fact
 * about the scanned routes: ProbeError `client-limitation` with the cause.
 */
export async function vrpIndexOf(path: string): Promise<VrpIndex> {
  let key: string;
  try {
    key = `${path}@${(await stat(path)).mtimeMs}`;
  } catch (err) {
    throw new ProbeError('client-limitation', path, `cannot read the VRP file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let index = loaded.get(key);
  if (!index) {
    index = readFile(path, 'utf8').then((text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ProbeError('client-limitation', path, `the VRP file is not JSON: ${(err as Error).message}`);
      }
      const parsed = parseVrpExport(json);
      if ('problem' in parsed) throw new ProbeError('client-limitation', path, parsed.problem);
      return new VrpIndex(parsed.vrps);
    });
    for (const old of loaded.keys()) if (old.startsWith(`${path}@`)) loaded.delete(old);
    loaded.set(key, index);
    index.catch(() => loaded.delete(key));
  }
  return index;
}
