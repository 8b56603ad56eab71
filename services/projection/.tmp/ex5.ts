import pg from 'pg';

const pool = new pg.Pool({
  connectionString: 'postgres://postgres:yishi-local@127.0.0.1:47311/gen100kb',
  max: 1,
});
const { rows: g } = await pool.query(
  `select schema_name from projection_generations where projection='proposals' and status='active'`,
);
const s = g[0].schema_name;
await pool.query(
  `drop schema if exists xx cascade; create schema xx; create table xx.ballots (like ${s}.ballots including all) with (autovacuum_enabled = false); insert into xx.ballots select * from ${s}.ballots`,
);
const { rows: keys } = await pool.query(
  `select community_id, proposal_id, vote_id, voter_id, item_id from xx.ballots where valid_to_tx is null order by random() limit 2000`,
);
const closes = keys.map((k) => ({ ...k, valid_to_tx: '999999', valid_to_pos: '1' }));
await pool.query('begin');
await pool.query(
  'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off',
);
const r = await pool.query(
  `explain analyze UPDATE xx.ballots AS t SET valid_to_tx = c.valid_to_tx, valid_to_pos = c.valid_to_pos
  FROM jsonb_populate_recordset(NULL::xx.ballots, $1::jsonb) AS c
  WHERE t.community_id = c.community_id AND t.proposal_id = c.proposal_id AND t.vote_id = c.vote_id AND t.voter_id = c.voter_id AND t.item_id = c.item_id AND t.valid_to_tx IS NULL`,
  [JSON.stringify(closes)],
);
console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
await pool.query('rollback');
await pool.query('drop schema xx cascade');
await pool.end();
