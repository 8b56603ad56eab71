import { randomBytes } from 'node:crypto';
import type { Problem } from '@yishi/platform';

// Post/redirect/get: an action's outcome waits here for the page it redirects to. On a
// refusal the submitted values wait too, so the form comes back as the user filled it in.

export interface Flash {
  kind: 'done' | 'failed';
  /** The action's label key suffix (the kebab command name). */
  action: string;
  problem?: Problem;
  /** The form that was submitted, and its values, to fill it in again. */
  formId?: string;
  values?: Record<string, string | string[]>;
}

const TTL_MS = 10 * 60 * 1000;
const MAX = 5000;

export class FlashStore {
  private readonly entries = new Map<string, { flash: Flash; expires: number }>();

  put(flash: Flash): string {
    const now = Date.now();
    if (this.entries.size >= MAX) {
      for (const [id, e] of this.entries) if (e.expires <= now) this.entries.delete(id);
      if (this.entries.size >= MAX) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    const id = randomBytes(16).toString('base64url');
    this.entries.set(id, { flash, expires: now + TTL_MS });
    return id;
  }

  /** Reads a flash; it stays readable until it expires, so a reload shows it again. */
  get(id: string | undefined): Flash | undefined {
    if (!id) return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.flash;
  }
}
