import type pg from 'pg';
import { decrypt, encrypt } from './cipher.ts';
import { type MasterKey, MasterKeyError } from './master-key.ts';

// Master key rotation: every live data key is unwrapped with the old master key and wrapped
// with the new one, in one transaction; the data keys themselves, and so every sealed value in
// the events, stay as they are. Keys already under the new master key are left (a rotation
// that stopped half-way is finished by running it again). The rotation is recorded with both
// master key ids.

export interface RotationResult {
  rotated: number;
  /** Keys found already wrapped under the new master key. */
  already: number;
}

interface Row {
  key_id: string;
  subject: string;
  wrapped: Buffer;
  master_key_id: string;
}

export async function rotateMasterKey(
  pool: pg.Pool,
  from: MasterKey,
  to: MasterKey,
): Promise<RotationResult> {
  if (from.id === to.id) throw new MasterKeyError('the new master key is the current one');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<Row>(
      `SELECT key_id, subject, wrapped, master_key_id FROM pii_keys
        WHERE wrapped IS NOT NULL ORDER BY key_id FOR UPDATE`,
    );
    const stranger = rows.find((r) => r.master_key_id !== from.id && r.master_key_id !== to.id);
    if (stranger) {
      throw new MasterKeyError(
        `data key ${stranger.key_id} is wrapped under master key ${stranger.master_key_id}, neither ${from.id} nor ${to.id}`,
      );
    }
    const due = rows.filter((r) => r.master_key_id === from.id);
    const rewrapped = due.map((r) =>
      encrypt(to.key, decrypt(from.key, r.wrapped, r.subject), r.subject),
    );
    if (due.length > 0) {
      await client.query(
        `UPDATE pii_keys AS k SET wrapped = u.wrapped, master_key_id = $3
           FROM unnest($1::text[], $2::bytea[]) AS u(key_id, wrapped)
          WHERE k.key_id = u.key_id`,
        [due.map((r) => r.key_id), rewrapped, to.id],
      );
    }
    await client.query(
      'INSERT INTO pii_key_rotations (from_master_key_id, to_master_key_id, keys) VALUES ($1, $2, $3)',
      [from.id, to.id, due.length],
    );
    await client.query('COMMIT');
    return { rotated: due.length, already: rows.length - due.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
