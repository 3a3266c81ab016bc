import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/** Where the reviewed repair playbooks live; a dead letter's `playbook` column names one file here. */
export const PLAYBOOKS_DIR = join(PROJECT_ROOT, 'src/dlq/playbooks');

const cache = new Map<string, string>();

/** The text of a playbook, by the file name a dead letter links to. */
export function readPlaybook(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    if (!/^[a-z-]+\.md$/.test(file)) throw new Error(`not a playbook file name: ${file}`);
    text = readFileSync(join(PLAYBOOKS_DIR, file), 'utf8');
    cache.set(file, text);
  }
  return text;
}
