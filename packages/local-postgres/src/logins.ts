import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// The embedded server's passwords: random, generated on first use into a file beside its data
// directory (readable by this user only), so that nothing in the code or the README opens it.

/** A role and its password. */
export interface Login {
  user: string;
  password: string;
}

/** The embedded server's superuser: it owns the schemas and runs the migrations. */
export const SUPERUSER = 'postgres';

/** The services, each of which connects as a role of its own. */
export const SERVICES = ['command', 'projection', 'web'] as const;
export type Service = (typeof SERVICES)[number];

/** The role of a service: `yishi_command`, … (tests name theirs apart: roles are per server). */
export function roleName(service: Service, prefix = 'yishi'): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`bad role prefix ${prefix}`);
  return `${prefix}_${service}`;
}

/** The password the embedded server's superuser had before passwords were generated. */
export const LEGACY_PASSWORD = 'yishi-local';

/** The file holding the passwords of the server whose data directory is `dataDir`. */
export function passwordsFile(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'postgres-passwords.json');
}

function readPasswords(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** The password of `user` if one was generated, else undefined. */
export function knownPassword(dataDir: string, user: string): string | undefined {
  return readPasswords(passwordsFile(dataDir))[user];
}

/**
 * The login of `user` on the embedded server of `dataDir`: its password is generated and kept
 * the first time it is asked for. Hex only, so that it can stand in SQL and URLs unquoted.
 */
export function localLogin(dataDir: string, user: string = SUPERUSER): Login {
  const file = passwordsFile(dataDir);
  const passwords = readPasswords(file);
  let password = passwords[user];
  if (!password) {
    password = randomBytes(24).toString('hex');
    writeFileSync(file, `${JSON.stringify({ ...passwords, [user]: password }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  return { user, password };
}
